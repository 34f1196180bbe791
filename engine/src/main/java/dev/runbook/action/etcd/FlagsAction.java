package dev.runbook.action.etcd;

import dev.runbook.action.Action;
import dev.runbook.action.ActionResult;
import dev.runbook.action.EditAction;
import dev.runbook.action.EnvFile;
import dev.runbook.action.StepContext;
import dev.runbook.action.YamlDoc;
import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code etcd.flags}: sets and removes etcd's flags wherever the member's service style keeps them
 * ({@link MemberConfig}): {@code ETCD_*} lines of the env file, or the etcd container's command in
 * the static pod manifest kept aside while etcd is stopped. A new {@code data-dir} in a manifest
 * moves the data volume with it (the hostPath and the mount of the volume mounted at the old data
 * dir), so the three never disagree. The original file is kept under the run's backup dir.
 */
final class FlagsAction implements Action {
    private final Map<String, Template> set;
    private final List<String> unset;

    private FlagsAction(Map<String, Template> set, List<String> unset) {
        this.set = set;
        this.unset = unset;
    }

    static Action create(Node value) {
        Fields f = new Fields(value, "etcd.flags");
        Map<String, Template> set = new LinkedHashMap<>();
        f.node("set").ifPresent(n -> {
            Fields sf = new Fields(n, "etcd.flags.set");
            for (String k : sf.keys()) {
                Node v = sf.required(k);
                set.put(flag(k, f), Templates.text(Fields.scalarText(v, k), v.at()));
            }
            sf.allow(sf.keys().toArray(String[]::new));
        });
        List<String> unset = new ArrayList<>();
        List<String> given = f.strings("unset");
        if (given != null) {
            given.forEach(k -> unset.add(flag(k, f)));
        }
        f.finish();
        if (set.isEmpty() && unset.isEmpty()) {
            throw RunbookException.invalid(f.at(), "etcd.flags has nothing to change: give set or unset", "e.g. set: {data-dir: /var/lib/etcd-new}");
        }
        return new FlagsAction(set, unset);
    }

    /** A flag's name as etcd spells it without the dashes: data-dir (also accepted: --data-dir). */
    private static String flag(String given, Fields f) {
        String k = given.startsWith("--") ? given.substring(2) : given;
        if (!k.matches("[a-z][a-z0-9-]*")) {
            throw RunbookException.invalid(f.at(), "'" + given + "' is not an etcd flag name", "flags look like data-dir or initial-cluster-token");
        }
        return k;
    }

    private Map<String, String> rendered(StepContext ctx) {
        Map<String, String> out = new LinkedHashMap<>();
        set.forEach((k, t) -> out.put(k, ctx.render(t)));
        return out;
    }

    @Override
    public List<String> describe(StepContext ctx) {
        MemberConfig c = MemberConfig.of(ctx.scope());
        List<String> out = new ArrayList<>();
        Map<String, String> values = rendered(ctx);
        String file = c.staticPod() ? c.stashedManifest() : c.envFile();
        if (c.staticPod()) {
            values.forEach((k, v) -> out.add("set flag --" + k + "=" + v + " in " + MemberConfig.COMMAND + " of " + file));
            unset.forEach(k -> out.add("remove flag --" + k + " from " + MemberConfig.COMMAND + " of " + file));
            if (values.containsKey("data-dir")) {
                out.add("set the hostPath and mountPath of the volume mounted at the old --data-dir to " + values.get("data-dir") + " in " + file);
            }
        } else {
            values.forEach((k, v) -> out.add("set " + MemberConfig.envName(k) + "=" + v + " in " + file));
            unset.forEach(k -> out.add("unset " + MemberConfig.envName(k) + " in " + file));
        }
        out.add("  original kept at " + EditAction.backupPath(ctx, file));
        return out;
    }

    @Override
    public ActionResult run(StepContext ctx) {
        MemberConfig c = MemberConfig.of(ctx.scope());
        Map<String, String> values = rendered(ctx);
        if (!c.staticPod()) {
            Map<String, String> env = new LinkedHashMap<>();
            values.forEach((k, v) -> env.put(MemberConfig.envName(k), v));
            LinkedHashSet<String> gone = new LinkedHashSet<>();
            unset.forEach(k -> gone.add(MemberConfig.envName(k)));
            return EditAction.rewrite(ctx, c.envFile(), before -> EnvFile.edit(before, env, gone), true);
        }
        return EditAction.rewrite(ctx, c.stashedManifest(), before -> editManifest(before, values, unset), true);
    }

    /** The manifest with its flags (and, for a new data dir, its data volume) changed; null when nothing changes. */
    static String editManifest(String text, Map<String, String> values, List<String> unset) {
        YamlDoc doc = YamlDoc.parse(text);
        Object original = doc.snapshotCopy();
        String oldDir = currentFlag(doc.get(MemberConfig.COMMAND), "data-dir");
        Map<String, String> dashed = new LinkedHashMap<>();
        values.forEach((k, v) -> dashed.put("--" + k, v));
        doc.flags(MemberConfig.COMMAND, dashed, unset.stream().map(k -> "--" + k).toList());
        String newDir = values.get("data-dir");
        if (newDir != null && oldDir != null && !oldDir.equals(newDir)) {
            moveDataVolume(doc, oldDir, newDir);
        }
        return Objects.equals(original, doc.root()) ? null : doc.dump();
    }

    private static String currentFlag(Object command, String name) {
        if (command instanceof List<?> l) {
            for (Object a : l) {
                String s = String.valueOf(a);
                if (s.startsWith("--" + name + "=")) {
                    return s.substring(name.length() + 3);
                }
            }
        }
        return null;
    }

    /** The volume mounted at {@code oldDir} in the etcd container, its mount and its hostPath now {@code newDir}. */
    @SuppressWarnings("unchecked")
    private static void moveDataVolume(YamlDoc doc, String oldDir, String newDir) {
        Object mounts = doc.get("spec.containers[name=etcd]") instanceof Map<?, ?> c ? c.get("volumeMounts") : null;
        String volume = null;
        if (mounts instanceof List<?> ms) {
            for (Object m : ms) {
                if (m instanceof Map<?, ?> mm && oldDir.equals(String.valueOf(mm.get("mountPath")))) {
                    ((Map<String, Object>) mm).put("mountPath", newDir);
                    volume = String.valueOf(mm.get("name"));
                }
            }
        }
        if (volume == null) {
            throw new IllegalArgumentException("no volume of the etcd container is mounted at its --data-dir " + oldDir
                    + "; the data dir would not reach the pod");
        }
        Object volumes = ((Map<?, ?>) doc.root()).get("spec") instanceof Map<?, ?> spec ? spec.get("volumes") : null;
        if (volumes instanceof List<?> vs) {
            for (Object v : vs) {
                if (v instanceof Map<?, ?> vm && volume.equals(String.valueOf(vm.get("name"))) && vm.get("hostPath") instanceof Map<?, ?> hp) {
                    ((Map<String, Object>) hp).put("path", newDir);
                    return;
                }
            }
        }
        throw new IllegalArgumentException("volume " + volume + " (mounted at " + oldDir + ") is not a hostPath volume of the pod");
    }
}
