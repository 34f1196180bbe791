package dev.runbook.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local transport's install without a command: what {@code chmod/chown --reference} and {@code mv -f} would leave. */
class LocalTransportTest {
    @TempDir
    Path dir;

    private final LocalTransport local = new LocalTransport("control");

    private static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode") & 07777;
    }

    @Test
    void theNewFileTakesTheReplacedOnesModeAndOwner() throws Exception {
        Path dest = Files.writeString(dir.resolve("etcd.env"), "old\n");
        Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("rw-r-----"));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Files.setAttribute(dest, "unix:uid", 65534);
            Files.setAttribute(dest, "unix:gid", 65534);
        }
        Path tmp = Files.writeString(dir.resolve(".etcd.env.runbook-1"), "new\n");
        assertTrue(local.moveInto(tmp.toString(), dest.toString(), null));
        assertEquals("new\n", Files.readString(dest));
        assertFalse(Files.exists(tmp));
        assertEquals(0640, mode(dest));
        if (root) {
            assertEquals(65534, Files.getAttribute(dest, "unix:uid"));
            assertEquals(65534, Files.getAttribute(dest, "unix:gid"));
        }
    }

    @Test
    void anExplicitModeWinsOverTheReplacedFiles() throws Exception {
        Path dest = Files.writeString(dir.resolve("snap.db"), "old");
        Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("rw-r--r--"));
        Path tmp = Files.writeString(dir.resolve(".snap.db.runbook-2"), "new");
        assertTrue(local.moveInto(tmp.toString(), dest.toString(), 0600));
        assertEquals(0600, mode(dest));
        Path fresh = dir.resolve("fresh.db");
        Path tmp2 = Files.writeString(dir.resolve(".fresh.db.runbook-3"), "x");
        assertTrue(local.moveInto(tmp2.toString(), fresh.toString(), 0640));
        assertEquals(0640, mode(fresh));
    }

    @Test
    void aDirectoryAtTheTargetIsAnErrorNotAPlaceToMoveInto() throws Exception {
        Path dest = Files.createDirectory(dir.resolve("conf"));
        Path tmp = Files.writeString(dir.resolve(".conf.runbook-4"), "new");
        assertThrows(TransportException.class, () -> local.moveInto(tmp.toString(), dest.toString(), null));
        assertTrue(Files.isDirectory(dest));
        try (var inside = Files.list(dest)) {
            assertEquals(0, inside.count(), "nothing was moved into the directory");
        }
        assertTrue(Files.exists(tmp), "the temp file is left for the caller to remove");
    }

    @Test
    void aSymlinkIsReplacedAndItsTargetLeftAlone() throws Exception {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("unix"));
        Path real = Files.writeString(dir.resolve("real.env"), "real\n");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(dir.resolve("link.env"), real);
        Path tmp = Files.writeString(dir.resolve(".link.env.runbook-5"), "new\n");
        assertTrue(local.moveInto(tmp.toString(), link.toString(), null));
        assertFalse(Files.isSymbolicLink(link), "as mv -f: the link itself is replaced");
        assertEquals("new\n", Files.readString(link));
        assertEquals("real\n", Files.readString(real));
        assertEquals(0600, mode(link), "the mode is the link target's, as chmod --reference follows links");
        assertEquals(0600, (Integer) Files.getAttribute(link, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
    }
}
