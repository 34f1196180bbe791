package dev.runbook.exec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces secret values (inputs marked {@code secret}, secret inventory variables) and any PEM
 * private key block with {@code ******} in everything the run prints or records.
 */
public final class Masker {
    /** A private key printed by a command (cat of a TLS key, a debug dump) is never recorded, whoever declared it. */
    private static final java.util.regex.Pattern PRIVATE_KEY = java.util.regex.Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(-----END \\1PRIVATE KEY-----|\\z)", java.util.regex.Pattern.DOTALL);
    private final List<String> secrets;

    public Masker(Collection<String> secrets) {
        this.secrets = secrets.stream().filter(s -> s != null && s.length() >= 3).sorted((a, b) -> b.length() - a.length()).toList();
    }

    public String mask(String s) {
        if (s == null) {
            return null;
        }
        String out = s.contains("PRIVATE KEY-----") ? PRIVATE_KEY.matcher(s).replaceAll("-----BEGIN $1PRIVATE KEY----- ****** -----END $1PRIVATE KEY-----") : s;
        if (secrets.isEmpty()) {
            return out;
        }
        for (String secret : secrets) {
            out = out.replace(secret, "******");
        }
        return out;
    }

    /** Masks strings inside nested maps and lists. */
    @SuppressWarnings("unchecked")
    public Object maskValue(Object v) {
        if (v instanceof String s) {
            return mask(s);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, x) -> out.put(k, maskValue(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(maskValue(x)));
            return out;
        }
        return v;
    }
}
