package dev.runbook.journal;

import dev.runbook.event.HostResult;
import dev.runbook.event.JsonEvents;
import dev.runbook.event.RunListener;
import dev.runbook.model.Step;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The append-only record of one run: {@code .runbook/runs/<run-id>/journal.jsonl}, one JSON event
 * per line, flushed per line so a killed engine leaves everything up to its last finished step.
 * {@code runbook resume} and reports read it back with {@link JournalReader}.
 */
public final class Journal implements RunListener, AutoCloseable {
    public static final String FILE = "journal.jsonl";
    private final Path dir;
    private final BufferedWriter out;

    public Journal(Path runsRoot, String runId) {
        this.dir = runsRoot.resolve(runId);
        try {
            Files.createDirectories(dir);
            this.out = Files.newBufferedWriter(dir.resolve(FILE), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the journal under " + dir, e);
        }
    }

    /** A sortable, unique run id: UTC time plus 4 random hex digits. */
    public static String newRunId() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    public Path dir() {
        return dir;
    }

    private synchronized void write(Map<String, Object> event) {
        try {
            out.write(JsonEvents.line(event));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("journal write failed in " + dir, e);
        }
    }

    @Override
    public void runStarted(RunInfo info) {
        write(JsonEvents.runStarted(info));
    }

    @Override
    public void stepStarted(Step step, List<String> hosts) {
        write(JsonEvents.stepStarted(step, hosts));
    }

    @Override
    public void hostFinished(Step step, HostResult result) {
        write(JsonEvents.hostFinished(result));
    }

    @Override
    public void stepFinished(Step step, HostResult.Status status, String msg) {
        write(JsonEvents.stepFinished(step, status, msg));
    }

    @Override
    public void runFinished(RunSummary summary) {
        write(JsonEvents.runFinished(summary));
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // the last line was flushed already
        }
    }
}
