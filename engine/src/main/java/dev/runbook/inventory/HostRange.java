package dev.runbook.inventory;

import java.util.ArrayList;
import java.util.List;

/**
 * Ansible's host ranges: {@code etcd-[01:03]} is etcd-01, etcd-02, etcd-03 (zero padding kept when
 * the begin has a leading zero), {@code web[a:c]} is weba..webc, {@code db[1:10:4]} steps by 4,
 * and several ranges in one name multiply.
 */
final class HostRange {
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private HostRange() {
    }

    /** True when {@code name} holds a range ({@code [..:..]}). */
    static boolean has(String name) {
        int open = name.indexOf('[');
        int colon = name.indexOf(':', Math.max(open, 0));
        int close = name.indexOf(']', Math.max(colon, 0));
        return open >= 0 && colon > open && close > colon;
    }

    /** The names a pattern stands for; throws IllegalArgumentException with Ansible's reason when the range is malformed. */
    static List<String> expand(String pattern) {
        if (!has(pattern)) {
            return List.of(pattern);
        }
        int open = pattern.indexOf('[');
        int close = pattern.indexOf(']', open);
        String head = pattern.substring(0, open);
        String tail = pattern.substring(close + 1);
        String[] bounds = pattern.substring(open + 1, close).split(":", -1);
        if (bounds.length != 2 && bounds.length != 3) {
            throw new IllegalArgumentException("host range must be begin:end or begin:end:step");
        }
        String beg = bounds[0].isEmpty() ? "0" : bounds[0];
        String end = bounds[1];
        if (end.isEmpty()) {
            throw new IllegalArgumentException("host range must specify end value");
        }
        int step = bounds.length == 3 ? parse(bounds[2]) : 1;
        if (step <= 0) {
            throw new IllegalArgumentException("host range step must be positive");
        }
        int pad = 0;
        if (beg.charAt(0) == '0' && beg.length() > 1) {
            if (beg.length() != end.length()) {
                throw new IllegalArgumentException("host range must specify equal-length begin and end formats");
            }
            pad = beg.length();
        }
        List<String> seq = new ArrayList<>();
        int ib = beg.length() == 1 ? LETTERS.indexOf(beg) : -1;
        int ie = end.length() == 1 ? LETTERS.indexOf(end) : -1;
        if (ib >= 0 && ie >= 0) {
            if (ib > ie) {
                throw new IllegalArgumentException("host range must have begin <= end");
            }
            for (int i = ib; i <= ie; i += step) {
                seq.add(String.valueOf(LETTERS.charAt(i)));
            }
        } else {
            int b = parse(beg);
            int e = parse(end);
            for (int i = b; i <= e; i += step) {
                String n = String.valueOf(i);
                seq.add(pad > n.length() ? "0".repeat(pad - n.length()) + n : n);
            }
        }
        List<String> out = new ArrayList<>();
        for (String s : seq) {
            out.addAll(expand(head + s + tail));
        }
        return out;
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is neither a number nor a single letter");
        }
    }
}
