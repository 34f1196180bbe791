package dev.runbook.action;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Edits a YAML document (a static pod manifest) by path: {@code spec.volumes[name=etcd-data].hostPath.path},
 * {@code spec.containers[0].image}; and command-line flags inside a list:
 * {@code spec.containers[name=etcd].command} gets {@code --data-dir=...} set or removed.
 */
public final class YamlDoc {
    private static final Pattern SEGMENT = Pattern.compile("([^.\\[]+)|\\[(\\d+)]|\\[([^=\\]]+)=([^\\]]*)]");
    private final Object root;

    private YamlDoc(Object root) {
        this.root = root;
    }

    public static YamlDoc parse(String text) {
        LoaderOptions lo = new LoaderOptions();
        lo.setMaxAliasesForCollections(50);
        return new YamlDoc(new Yaml(new SafeConstructor(lo)).load(text));
    }

    public String dump() {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndicatorIndent(0);
        o.setIndent(2);
        o.setWidth(4096);
        return new Yaml(new Representer(o), o).dump(root);
    }

    public Object snapshotCopy() {
        return deepCopy(root);
    }

    public Object root() {
        return root;
    }

    /** Sets the value at a path; every segment but the last must exist. */
    public void set(String path, Object value) {
        List<Object> segs = segments(path);
        Object parent = walk(segs.subList(0, segs.size() - 1), path);
        Object last = segs.get(segs.size() - 1);
        if (last instanceof String key && parent instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked") Map<String, Object> mm = (Map<String, Object>) m;
            mm.put(key, value);
        } else if (last instanceof Integer i && parent instanceof List<?> l && i < l.size()) {
            @SuppressWarnings("unchecked") List<Object> ll = (List<Object>) l;
            ll.set(i, value);
        } else {
            throw new IllegalArgumentException("path " + path + " does not exist in the document");
        }
    }

    public Object get(String path) {
        return walk(segments(path), path);
    }

    /** Sets or removes {@code --flag=value} items of the list at {@code path}. */
    public void flags(String path, Map<String, String> set, List<String> unset) {
        Object o = get(path);
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException(path + " is not a list of command-line arguments");
        }
        @SuppressWarnings("unchecked") List<Object> args = (List<Object>) l;
        args.removeIf(a -> unset.stream().anyMatch(f -> isFlag(String.valueOf(a), f)));
        for (Map.Entry<String, String> e : set.entrySet()) {
            String item = e.getValue() == null ? e.getKey() : e.getKey() + "=" + e.getValue();
            int at = -1;
            for (int i = 0; i < args.size(); i++) {
                if (isFlag(String.valueOf(args.get(i)), e.getKey())) {
                    at = i;
                    break;
                }
            }
            if (at >= 0) {
                args.set(at, item);
                final int keep = at;
                for (int i = args.size() - 1; i > keep; i--) {
                    if (isFlag(String.valueOf(args.get(i)), e.getKey())) {
                        args.remove(i);
                    }
                }
            } else {
                args.add(item);
            }
        }
    }

    private static boolean isFlag(String arg, String flag) {
        return arg.equals(flag) || arg.startsWith(flag + "=");
    }

    private Object walk(List<Object> segs, String path) {
        Object cur = root;
        for (Object s : segs) {
            if (s instanceof String key && cur instanceof Map<?, ?> m && m.containsKey(key)) {
                cur = m.get(key);
            } else if (s instanceof Integer i && cur instanceof List<?> l && i < l.size()) {
                cur = l.get(i);
            } else if (s instanceof String[] sel && cur instanceof List<?> l) {
                Object found = null;
                for (Object item : l) {
                    if (item instanceof Map<?, ?> m && sel[1].equals(String.valueOf(m.get(sel[0])))) {
                        found = item;
                        break;
                    }
                }
                if (found == null) {
                    throw new IllegalArgumentException("no item with " + sel[0] + "=" + sel[1] + " at " + path);
                }
                cur = found;
            } else {
                throw new IllegalArgumentException("path " + path + " does not exist in the document (at '" + display(s) + "')");
            }
        }
        return cur;
    }

    private static String display(Object s) {
        return s instanceof String[] a ? a[0] + "=" + a[1] : String.valueOf(s);
    }

    static List<Object> segments(String path) {
        List<Object> out = new ArrayList<>();
        Matcher m = SEGMENT.matcher(path);
        int pos = 0;
        while (pos < path.length()) {
            if (path.charAt(pos) == '.') {
                pos++;
                continue;
            }
            if (!m.find(pos) || m.start() != pos) {
                throw new IllegalArgumentException("cannot read path '" + path + "' at position " + (pos + 1));
            }
            if (m.group(1) != null) {
                out.add(m.group(1));
            } else if (m.group(2) != null) {
                out.add(Integer.parseInt(m.group(2)));
            } else {
                out.add(new String[] {m.group(3), m.group(4)});
            }
            pos = m.end();
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("empty path");
        }
        return out;
    }

    private static Object deepCopy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put(k, deepCopy(v)));
            return c;
        }
        if (o instanceof List<?> l) {
            List<Object> c = new ArrayList<>();
            l.forEach(v -> c.add(deepCopy(v)));
            return c;
        }
        return o;
    }
}
