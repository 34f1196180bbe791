package dev.runbook.action.etcd;

/** etcd version facts: ordering, and which release brought which restore option. */
final class Versions {
    private Versions() {
    }

    static int compare(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < 3; i++) {
            int d = Integer.compare(num(x, i), num(y, i));
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    /** {@code snapshot restore --bump-revision --mark-compacted}: etcd 3.4.27+ and 3.5.10+ (and 3.6). */
    static boolean canBumpRevision(String v) {
        if (compare(v, "3.5.0") >= 0) {
            return compare(v, "3.5.10") >= 0;
        }
        return compare(v, "3.4.27") >= 0;
    }

    private static int num(String[] parts, int i) {
        try {
            return i < parts.length ? Integer.parseInt(parts[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
