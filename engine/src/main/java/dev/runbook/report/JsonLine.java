package dev.runbook.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.runbook.event.JsonEvents;

/** One value as compact JSON (for tables and evidence). */
final class JsonLine {
    private JsonLine() {
    }

    static String of(Object o) {
        try {
            return JsonEvents.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            return String.valueOf(o);
        }
    }
}
