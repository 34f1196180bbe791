package dev.runbook.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.model.Step;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Events as JSON objects, one per line: the shape shared by {@code --output json} and the journal. */
public final class JsonEvents {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonEvents() {
    }

    /** Sets up the mapper and its serializers for maps, lists, strings, numbers and booleans (a head start; no output). */
    public static void warm() {
        try {
            MAPPER.writeValueAsString(Map.of("event", "warm", "hosts", List.of("a"), "n", 1L, "ok", true));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            // only a head start: the first real line does this itself
        }
    }

    public static Map<String, Object> runStarted(RunListener.RunInfo i) {
        Map<String, Object> m = event("run_start");
        m.put("run_id", i.runId());
        m.put("runbook", i.runbook());
        m.put("runbook_sha256", i.runbookSha256());
        m.put("inventory", i.inventory());
        m.put("inventory_sha256", i.inventorySha256());
        m.put("operator", i.operator());
        m.put("ticket", i.ticket());
        m.put("check", i.check());
        m.put("inputs", i.inputs());
        m.put("args", i.args());
        m.put("resumed_from", i.resumedFrom());
        if (!i.reach().isEmpty()) {
            m.put("reach", i.reach());
        }
        return m;
    }

    public static Map<String, Object> stepStarted(Step s, List<String> hosts) {
        Map<String, Object> m = event("step_start");
        m.put("step", s.id());
        m.put("hosts", hosts);
        m.put("destructive", s.destructive());
        m.put("name", s.title());
        m.put("action", s.kind());
        if (s.recovery() != null) {
            m.put("recovery", s.recovery());
        }
        return m;
    }

    public static Map<String, Object> hostFinished(HostResult r) {
        Map<String, Object> m = event("host_end");
        m.put("step", r.step());
        m.put("host", r.host());
        m.put("status", r.status().label());
        m.put("start", r.startMillis());
        m.put("millis", r.millis());
        m.put("rc", r.rc());
        m.put("msg", r.msg());
        m.put("attempts", r.attempts());
        m.put("stdout_tail", tail(r.stdout()));
        m.put("stderr_tail", tail(r.stderr()));
        if (!r.registered().isEmpty()) {
            m.put("registered", r.registered());
        }
        return m;
    }

    public static Map<String, Object> stepFinished(Step s, HostResult.Status status, String msg) {
        Map<String, Object> m = event("step_end");
        m.put("step", s.id());
        m.put("status", status.label());
        m.put("msg", msg);
        return m;
    }

    public static Map<String, Object> runFinished(RunListener.RunSummary s) {
        Map<String, Object> m = event("run_end");
        m.put("run_id", s.runId());
        m.put("exit_code", s.exitCode());
        m.put("outcome", s.outcome());
        m.put("millis", s.millis());
        return m;
    }

    private static Map<String, Object> event(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", name);
        m.put("time", System.currentTimeMillis());
        return m;
    }

    /** The last 4 KiB of an output stream: enough evidence for a journal, bounded in size. */
    static String tail(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 4096 ? s : "[...]" + s.substring(s.length() - 4096);
    }

    /** One value (an event, or any registered value) as one compact JSON line. */
    public static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
