package dev.runbook.lock;

import dev.runbook.event.JsonEvents;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who holds a host's run lock: the run, its runbook, the operator, and the control machine and
 * process that took it (so a lock left by a dead engine can be told from a live one).
 */
public record Holder(String run, String runbook, String user, String control, long pid, String since) {

    /** The lock file's content: one JSON line. */
    public String json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", run);
        m.put("runbook", runbook);
        m.put("user", user);
        m.put("control", control);
        m.put("pid", pid);
        m.put("since", since);
        return JsonEvents.line(m);
    }

    /** Parses a lock file's content; an unreadable file still yields a holder that shows the raw text. */
    public static Holder parse(String text) {
        try {
            Map<?, ?> m = JsonEvents.MAPPER.readValue(text.trim(), Map.class);
            Object pid = m.get("pid");
            return new Holder(str(m.get("run")), str(m.get("runbook")), str(m.get("user")), str(m.get("control")),
                    pid instanceof Number n ? n.longValue() : -1, str(m.get("since")));
        } catch (Exception e) {
            String shown = text.strip();
            return new Holder("?", "?", "?", "?", -1, shown.length() > 80 ? shown.substring(0, 80) + "..." : shown);
        }
    }

    private static String str(Object o) {
        return o == null ? "?" : String.valueOf(o);
    }

    /** "run 20261124T... (restore-3node.yml) by alice on ctl-1, pid 4242, since 2026-11-24T10:00:00Z". */
    public String describe() {
        return "run " + run + " (" + runbook + ") by " + user + " on " + control + ", pid " + pid + ", since " + since;
    }

    /** True when this holder's engine ran on this machine and its process is gone: the lock is stale. */
    public boolean deadHere(String thisMachine) {
        return thisMachine.equals(control) && pid > 0 && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }
}
