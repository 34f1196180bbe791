package dev.runbook.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.error.RunbookException;
import dev.runbook.model.Step;
import dev.runbook.parse.RunbookParser;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StepGraphTest {
    static final String DIAMOND = """
            name: diamond
            steps:
              - {id: a, hosts: h, run: x}
              - {id: b, needs: a, hosts: h, run: x}
              - {id: c, needs: a, hosts: h, run: x, destructive: true}
              - {id: d, needs: [b, c], hosts: h, run: x}
            """;

    @Test
    void independentStepsAreReadyTogether() {
        StepGraph g = new StepGraph(RunbookParser.parse("rb.yml", DIAMOND));
        assertEquals(1, g.ready(Set.of(), Set.of()).size());
        assertEquals(Set.of("b", "c"), Set.copyOf(g.ready(Set.of("a"), Set.of("a")).stream().map(Step::id).toList()));
        assertEquals("d", g.ready(Set.of("a", "b", "c"), Set.of("a", "b", "c")).get(0).id());
        assertEquals(0, g.ready(Set.of("a", "b"), Set.of("a", "b", "c")).size(), "d waits for c");
    }

    @Test
    void cycleNamesTheWholeCycleAndWhereItStarts() {
        RunbookException e = assertThrows(RunbookException.class, () -> new StepGraph(RunbookParser.parse("rb.yml", """
                name: loop
                steps:
                  - {id: a, needs: c, hosts: h, run: x}
                  - {id: b, needs: a, hosts: h, run: x}
                  - {id: c, needs: b, hosts: h, run: x}
                """)));
        assertTrue(e.getMessage().contains("a -> c -> b -> a"), e.getMessage());
        assertEquals("rb.yml:3:13", e.location().toString());
    }

    @Test
    void rendersDotAndMermaid() {
        StepGraph g = new StepGraph(RunbookParser.parse("rb.yml", DIAMOND));
        String dot = g.render("dot");
        assertTrue(dot.contains("\"b\" -> \"d\"") && dot.contains("\"c\" -> \"d\"") && dot.contains("color=red"), dot);
        String mermaid = g.render("mermaid");
        assertTrue(mermaid.startsWith("flowchart TD") && mermaid.contains("s_a --> s_b") && mermaid.contains("style s_c"), mermaid);
        assertTrue(g.render("text").contains("needs: b, c"));
    }
}
