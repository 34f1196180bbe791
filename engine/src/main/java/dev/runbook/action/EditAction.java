package dev.runbook.action;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.parse.Hashes;
import dev.runbook.template.ShellQuote;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import dev.runbook.transport.ExecResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code edit}: changes keys of a configuration file on the host, keeping a backup of the original
 * under {@code /var/backups/runbook/<run-id>/} (never next to a manifest, where a kubelet would run it).
 * {@code format: env} sets/unsets KEY=VALUE lines; {@code format: yaml} sets values by path and
 * sets/unsets {@code --flags} in a list ({@code flags: {path, set, unset}}). Unchanged files are not rewritten.
 */
public final class EditAction implements Action {
    public static final String BACKUP_ROOT = "/var/backups/runbook";
    private final Template path;
    private final boolean yaml;
    private final Map<String, Template> set;
    private final List<String> unset;
    private final String flagsPath;
    private final Map<String, Template> flagsSet;
    private final List<String> flagsUnset;
    private final boolean backup;

    private EditAction(Template path, boolean yaml, Map<String, Template> set, List<String> unset, String flagsPath,
                       Map<String, Template> flagsSet, List<String> flagsUnset, boolean backup) {
        this.path = path;
        this.yaml = yaml;
        this.set = set;
        this.unset = unset;
        this.flagsPath = flagsPath;
        this.flagsSet = flagsSet;
        this.flagsUnset = flagsUnset;
        this.backup = backup;
    }

    public static Action create(Node value) {
        Fields f = new Fields(value, "edit");
        Node p = f.required("path");
        String text = Fields.scalarText(p, "path");
        String format = f.string("format", text.endsWith(".yaml") || text.endsWith(".yml") ? "yaml" : "env");
        if (!format.equals("env") && !format.equals("yaml")) {
            throw RunbookException.invalid(f.at("format"), "edit format must be env or yaml, not '" + format + "'", null);
        }
        Map<String, Template> set = templates(f, "set");
        List<String> unset = f.strings("unset");
        String flagsPath = null;
        Map<String, Template> flagsSet = Map.of();
        List<String> flagsUnset = List.of();
        if (f.has("flags")) {
            if (!format.equals("yaml")) {
                throw RunbookException.invalid(f.at("flags"), "'flags' edits a list in a YAML file; this file is format env",
                        "the format is guessed from a .yaml/.yml path; for other paths (or templates) say format: yaml");
            }
            Fields ff = new Fields(f.required("flags"), "edit.flags");
            flagsPath = ff.string("path");
            flagsSet = templates(ff, "set");
            flagsUnset = ff.strings("unset") == null ? List.of() : ff.strings("unset");
            ff.finish();
        }
        if (format.equals("yaml") && unset != null) {
            throw RunbookException.invalid(f.at("unset"), "'unset' removes env keys; in YAML use flags.unset for --flags", null);
        }
        boolean backup = f.bool("backup", true);
        f.finish();
        if (set.isEmpty() && (unset == null || unset.isEmpty()) && flagsPath == null) {
            throw RunbookException.invalid(f.at(), "edit has nothing to change: give set, unset or flags", null);
        }
        for (String k : set.keySet()) {
            try {
                if (format.equals("yaml")) {
                    YamlDoc.segments(k);
                }
            } catch (IllegalArgumentException e) {
                throw RunbookException.invalid(f.at("set"), e.getMessage(), "paths look like spec.volumes[name=etcd-data].hostPath.path");
            }
        }
        return new EditAction(Templates.text(text, p.at()), format.equals("yaml"), set, unset == null ? List.of() : unset,
                flagsPath, flagsSet, flagsUnset, backup);
    }

    private static Map<String, Template> templates(Fields f, String key) {
        Map<String, Template> out = new LinkedHashMap<>();
        f.node(key).ifPresent(n -> {
            Fields sf = new Fields(n, "edit." + key);
            for (String k : sf.keys()) {
                Node v = sf.required(k);
                out.put(k, Templates.text(Fields.scalarText(v, k), v.at()));
            }
            sf.allow(sf.keys().toArray(String[]::new));
        });
        return out;
    }

    private Map<String, String> rendered(StepContext ctx, Map<String, Template> ts) {
        Map<String, String> out = new LinkedHashMap<>();
        ts.forEach((k, t) -> out.put(k, ctx.render(t)));
        return out;
    }

    /** Where the original of {@code file} is kept by this run. */
    public static String backupPath(StepContext ctx, String file) {
        return BACKUP_ROOT + "/" + ctx.runId() + (file.startsWith("/") ? file : "/" + file);
    }

    @Override
    public List<String> describe(StepContext ctx) {
        String file = ctx.render(path);
        List<String> out = new ArrayList<>();
        rendered(ctx, set).forEach((k, v) -> out.add("set " + k + "=" + v + " in " + file));
        unset.forEach(k -> out.add("unset " + k + " in " + file));
        rendered(ctx, flagsSet).forEach((k, v) -> out.add("set flag " + k + "=" + v + " in " + flagsPath + " of " + file));
        flagsUnset.forEach(k -> out.add("remove flag " + k + " from " + flagsPath + " of " + file));
        if (backup) {
            out.add("  original kept at " + backupPath(ctx, file));
        }
        return out;
    }

    @Override
    public ActionResult run(StepContext ctx) {
        String file = ctx.render(path);
        return rewrite(ctx, file, before -> yaml ? editYaml(ctx, before) : EnvFile.edit(before, rendered(ctx, set), new LinkedHashSet<>(unset)), backup);
    }

    /**
     * Rewrites {@code file} on the host with {@code edit} (the new text, or null when nothing
     * changes; an {@link IllegalArgumentException} is the file's problem), first keeping the
     * original under {@link #BACKUP_ROOT} when {@code backup}; the new text is installed atomically.
     */
    public static ActionResult rewrite(StepContext ctx, String file, java.util.function.UnaryOperator<String> edit, boolean backup) {
        String before = new String(ctx.transport().read(file), StandardCharsets.UTF_8);
        String after;
        try {
            after = edit.apply(before);
        } catch (IllegalArgumentException | org.yaml.snakeyaml.error.YAMLException e) {
            return ActionResult.failed(file + ": " + e.getMessage());
        }
        if (after == null || after.equals(before)) {
            return ActionResult.ok(false, "unchanged", Map.of("path", file));
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("path", file);
        if (backup) {
            String b = backupPath(ctx, file);
            ExecResult r = ctx.exec("mkdir -p " + ShellQuote.quote(b.substring(0, b.lastIndexOf('/'))) + " && cp -p -- "
                    + ShellQuote.quote(file) + " " + ShellQuote.quote(b));
            if (!r.ok()) {
                return ActionResult.failed("could not back up " + file + " to " + b + ": " + r.stderr().trim() + "; nothing changed");
            }
            info.put("backup", b);
        }
        byte[] bytes = after.getBytes(StandardCharsets.UTF_8);
        String err = RemoteFiles.install(ctx, bytes, null, Hashes.sha256(bytes), file, null, null);
        return err != null ? ActionResult.failed(err) : ActionResult.ok(true, "edited" + (backup ? ", backup " + info.get("backup") : ""), info);
    }

    /** The edited YAML text, or null when the document would not change (so formatting is kept). */
    private String editYaml(StepContext ctx, String before) {
        YamlDoc doc = YamlDoc.parse(before);
        Object original = doc.snapshotCopy();
        rendered(ctx, set).forEach(doc::set);
        if (flagsPath != null) {
            doc.flags(flagsPath, rendered(ctx, flagsSet), flagsUnset);
        }
        return Objects.equals(original, doc.root()) ? null : doc.dump();
    }
}
