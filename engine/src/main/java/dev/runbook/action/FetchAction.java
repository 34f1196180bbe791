package dev.runbook.action;

import dev.runbook.model.Node;
import dev.runbook.parse.Fields;
import dev.runbook.parse.Hashes;
import dev.runbook.template.Template;
import dev.runbook.template.Templates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * {@code fetch}: downloads {@code src} from the host to {@code dest} on the control machine.
 * A {@code dest} ending in '/' is a directory: the file lands in {@code dest/<host>/<name>}.
 * Written as {@code .part}, compared with the host's sha256, then renamed.
 */
public final class FetchAction implements Action, BulkTransfer {
    private final Template src;
    private final Template dest;

    private FetchAction(Template src, Template dest) {
        this.src = src;
        this.dest = dest;
    }

    public static Action create(Node value) {
        Fields f = new Fields(value, "fetch");
        Node s = f.required("src");
        Node d = f.required("dest");
        f.finish();
        return new FetchAction(Templates.text(Fields.scalarText(s, "src"), s.at()), Templates.text(Fields.scalarText(d, "dest"), d.at()));
    }

    private Path target(StepContext ctx, String from) {
        String d = ctx.render(dest);
        Path p = d.endsWith("/") ? Path.of(d, ctx.host().name(), Path.of(from).getFileName().toString()) : Path.of(d);
        return p.isAbsolute() ? p : ctx.baseDir().resolve(p).normalize();
    }

    /** A single path segment: not empty, not '.' or '..', no separator. */
    private static boolean plainName(String s) {
        return s != null && !s.isEmpty() && !s.equals(".") && !s.equals("..") && !s.contains("/") && !s.equals("null");
    }

    @Override
    public long bulkBytes(StepContext ctx) {
        return UNKNOWN; // the remote file's size is known only when it is fetched
    }

    @Override
    public List<String> describe(StepContext ctx) {
        String from = ctx.render(src);
        return List.of("download " + ctx.host().name() + ":" + from + " -> " + target(ctx, from) + " (.part, sha256 check, rename)");
    }

    @Override
    public ActionResult run(StepContext ctx) {
        String from = ctx.render(src);
        String d = ctx.render(dest);
        String refused = RemoteFiles.traversal("src", from);
        if (refused == null) {
            refused = RemoteFiles.traversal("dest", d);
        }
        if (refused == null && d.endsWith("/") && (!plainName(ctx.host().name()) || !plainName(String.valueOf(Path.of(from).getFileName())))) {
            refused = "refused: the host name '" + ctx.host().name() + "' or file name of " + from + " is not a plain file name under " + d;
        }
        if (refused != null) {
            return ActionResult.failed(refused);
        }
        Path to = target(ctx, from);
        String remoteSha = RemoteFiles.remoteSha256(ctx, from);
        if (remoteSha == null) {
            return ActionResult.failed(from + " does not exist or is not readable on " + ctx.host().name());
        }
        Path part = to.resolveSibling(to.getFileName() + ".part");
        try {
            Files.createDirectories(to.toAbsolutePath().getParent());
            ctx.transport().download(from, part);
            String localSha = Hashes.sha256(part);
            if (!localSha.equals(remoteSha)) {
                Files.deleteIfExists(part);
                return ActionResult.failed("sha256 mismatch: host has " + remoteSha + ", downloaded " + localSha + " (file changed while copying?)");
            }
            Files.move(part, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return ActionResult.ok(true, to + " (sha256 " + localSha.substring(0, 12) + ")",
                    Map.of("dest", to.toString(), "sha256", localSha, "size", Files.size(to)));
        } catch (IOException e) {
            return ActionResult.failed("cannot write " + to + ": " + e.getMessage());
        }
    }
}
