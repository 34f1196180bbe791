package dev.runbook.exec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Replaces secret values (inputs marked {@code secret}) with {@code ******} in everything the run prints or records. */
public final class Masker {
    private final List<String> secrets;

    public Masker(Collection<String> secrets) {
        this.secrets = secrets.stream().filter(s -> s != null && s.length() >= 3).sorted((a, b) -> b.length() - a.length()).toList();
    }

    public String mask(String s) {
        if (s == null || secrets.isEmpty()) {
            return s;
        }
        String out = s;
        for (String secret : secrets) {
            out = out.replace(secret, "******");
        }
        return out;
    }

    /** Masks strings inside nested maps and lists. */
    @SuppressWarnings("unchecked")
    public Object maskValue(Object v) {
        if (secrets.isEmpty()) {
            return v;
        }
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
