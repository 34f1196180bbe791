package dev.runbook.action;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an action did on one host. {@link #registered()} is what {@code register:} stores:
 * {@code rc, stdout, stderr, stdout_lines, changed, failed, msg} plus action-specific data.
 *
 * @param abort true when the run must stop as "aborted" (exit 3), e.g. a refused confirmation
 */
public record ActionResult(boolean failed, boolean changed, int rc, String stdout, String stderr, String msg,
                           Map<String, Object> data, boolean abort) {
    public static ActionResult ok(boolean changed, String msg, Map<String, Object> data) {
        return new ActionResult(false, changed, 0, "", "", msg, data, false);
    }

    public static ActionResult failed(String msg) {
        return new ActionResult(true, false, 1, "", "", msg, Map.of(), false);
    }

    public static ActionResult aborted(String msg) {
        return new ActionResult(true, false, 1, "", "", msg, Map.of(), true);
    }

    public Map<String, Object> registered() {
        Map<String, Object> r = new LinkedHashMap<>(data);
        r.put("rc", rc);
        // as in Ansible: trailing newlines are not part of the value ("{{x.stdout}}" is the printed word)
        String out = stdout.stripTrailing();
        r.put("stdout", out);
        r.put("stderr", stderr.stripTrailing());
        r.put("stdout_lines", out.isEmpty() ? java.util.List.of() : java.util.List.of(out.split("\n")));
        r.put("changed", changed);
        r.put("failed", failed);
        r.put("msg", msg == null ? "" : msg);
        return r;
    }
}
