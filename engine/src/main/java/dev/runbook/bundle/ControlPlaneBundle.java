package dev.runbook.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.parse.Hashes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The files a lost control-plane host needs besides etcd's data (static pod manifests, the
 * Kubernetes and etcd PKI, the API server's EncryptionConfiguration, etcdadm's env file), from
 * every control-plane host, with the snapshot they belong to. On disk: a gzipped tar, age-encrypted
 * by the caller, holding {@code bundle.json} (what and whence), {@code SHA256SUMS} ({@code sha256sum -c}
 * format) and {@code hosts/<host>/<path>} with each file's mode, owner and time.
 */
public final class ControlPlaneBundle {
    public static final String FORMAT = "runbook-controlplane-bundle/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One file, directory or symlink of one host; {@code path} is absolute. */
    public record Entry(String host, String path, int mode, long uid, long gid, long mtimeMillis, byte[] content, String linkTarget, boolean directory) {
        public boolean file() {
            return !directory && linkTarget == null;
        }
    }

    private final Map<String, Object> meta;
    private final List<Entry> entries;

    public ControlPlaneBundle(Map<String, Object> meta, List<Entry> entries) {
        this.meta = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        this.entries = List.copyOf(entries);
    }

    /** bundle.json: format, created, snapshot {file, sha256, revision}, hosts {name: files}. */
    public Map<String, Object> meta() {
        return meta;
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<Entry> entries(String host) {
        return entries.stream().filter(e -> e.host().equals(host)).toList();
    }

    /** The sha256 of the snapshot this bundle was taken with ("" when none was recorded). */
    @SuppressWarnings("unchecked")
    public String snapshotSha256() {
        Object s = meta.get("snapshot");
        return s instanceof Map<?, ?> m && m.get("sha256") != null ? String.valueOf(((Map<String, Object>) m).get("sha256")) : "";
    }

    /** The entries of a host's own tar (paths relative to /, as {@code tar -C /} writes them). */
    public static List<Entry> fromHostTar(String host, byte[] tar) throws IOException {
        List<Entry> out = new ArrayList<>();
        Map<String, byte[]> seen = new java.util.HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                String name = e.getName().replaceAll("/+$", "");
                if (name.isEmpty() || name.startsWith("/") || name.contains("..")) {
                    throw new IOException("unexpected entry '" + e.getName() + "' in the tar from " + host);
                }
                // a hard link (two names of one file) is stored as its own copy
                byte[] content = e.isLink() ? seen.get(e.getLinkName().replaceAll("/+$", "")) : regular(e) ? in.readAllBytes() : null;
                if (e.isLink() && content == null) {
                    throw new IOException("hard link '" + name + "' in the tar from " + host + " names no earlier file");
                }
                seen.put(name, content);
                out.add(new Entry(host, "/" + name, e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(), e.getModTime().getTime(),
                        content == null && !e.isDirectory() && !e.isSymbolicLink() ? new byte[0] : content, e.isSymbolicLink() ? e.getLinkName() : null, e.isDirectory()));
            }
        }
        return out;
    }

    /** Writes the bundle as a gzipped tar to {@code out} (closes it). */
    public void write(OutputStream out) throws IOException {
        StringBuilder sums = new StringBuilder();
        for (Entry e : entries) {
            if (e.file()) {
                sums.append(Hashes.sha256(e.content())).append("  ").append(name(e)).append('\n');
            }
        }
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            long now = System.currentTimeMillis();
            plain(tar, "bundle.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta), now);
            plain(tar, "SHA256SUMS", sums.toString().getBytes(StandardCharsets.UTF_8), now);
            for (Entry e : entries) {
                put(tar, name(e), e);
            }
        }
    }

    /** Reads a gzipped bundle tar and checks every file against SHA256SUMS. */
    @SuppressWarnings("unchecked")
    public static ControlPlaneBundle read(InputStream in, String what) throws IOException {
        Map<String, Object> meta = null;
        Map<String, String> sums = null;
        List<Entry> entries = new ArrayList<>();
        Map<String, byte[]> files = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
            TarArchiveEntry t;
            while ((t = tar.getNextEntry()) != null) {
                String name = t.getName().replaceAll("/+$", "");
                byte[] content = regular(t) ? tar.readAllBytes() : null;
                if (name.equals("bundle.json")) {
                    meta = JSON.readValue(content, LinkedHashMap.class);
                } else if (name.equals("SHA256SUMS")) {
                    sums = new LinkedHashMap<>();
                    for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
                        if (line.length() > 66) {
                            sums.put(line.substring(66), line.substring(0, 64));
                        }
                    }
                } else if (name.startsWith("hosts/") && name.indexOf('/', 6) > 6) {
                    String host = name.substring(6, name.indexOf('/', 6));
                    String path = name.substring(6 + host.length());
                    if (path.contains("/../") || path.endsWith("/..")) {
                        throw new IOException(what + ": refused entry '" + name + "' (a path with ..)");
                    }
                    entries.add(new Entry(host, path, t.getMode() & 07777, t.getLongUserId(), t.getLongGroupId(), t.getModTime().getTime(), content,
                            t.isSymbolicLink() ? t.getLinkName() : null, t.isDirectory()));
                    if (content != null) {
                        files.put(name, content);
                    }
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(what + " is not a control-plane bundle (not gzip inside): " + e.getMessage(), e);
        }
        if (meta == null || !FORMAT.equals(meta.get("format")) || sums == null) {
            throw new IOException(what + " is not a control-plane bundle (no " + (meta == null ? "bundle.json" : sums == null ? "SHA256SUMS" : FORMAT) + ")");
        }
        for (Map.Entry<String, String> s : sums.entrySet()) {
            byte[] c = files.get(s.getKey());
            if (c == null) {
                throw new IOException(what + ": " + s.getKey() + " is listed in SHA256SUMS but missing");
            }
            if (!Hashes.sha256(c).equals(s.getValue())) {
                throw new IOException(what + ": " + s.getKey() + " does not match its sha256 in SHA256SUMS");
            }
        }
        if (files.size() != sums.size()) {
            throw new IOException(what + ": " + (files.size() - sums.size()) + " file(s) not listed in SHA256SUMS");
        }
        return new ControlPlaneBundle(meta, entries);
    }

    /** A tar of {@code some} with paths relative to / (for {@code tar -C / -x} on the host), directories first as listed. */
    public static byte[] hostTar(List<Entry> some) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Entry e : some) {
                put(tar, e.path().substring(1), e);
            }
        }
        return bytes.toByteArray();
    }

    /** One entry with its type, mode, numeric owner and time. */
    private static void put(TarArchiveOutputStream tar, String name, Entry e) throws IOException {
        TarArchiveEntry t = e.linkTarget() != null ? new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK) : new TarArchiveEntry(name + (e.directory() ? "/" : ""));
        if (e.linkTarget() != null) {
            t.setLinkName(e.linkTarget());
        }
        t.setMode((e.directory() ? 040000 : e.linkTarget() != null ? 0120000 : 0100000) | e.mode());
        t.setUserId(e.uid());
        t.setGroupId(e.gid());
        t.setModTime(e.mtimeMillis());
        if (e.file()) {
            t.setSize(e.content().length);
        }
        tar.putArchiveEntry(t);
        if (e.file()) {
            tar.write(e.content());
        }
        tar.closeArchiveEntry();
    }

    /** A regular file (commons-compress's isFile() is also true for some link types). */
    private static boolean regular(TarArchiveEntry t) {
        return !t.isDirectory() && !t.isSymbolicLink() && !t.isLink() && (t.isFile() || t.getSize() > 0);
    }

    private static String name(Entry e) {
        return "hosts/" + e.host() + e.path();
    }

    private static void plain(TarArchiveOutputStream tar, String name, byte[] content, long mtime) throws IOException {
        TarArchiveEntry t = new TarArchiveEntry(name);
        t.setMode(0100600);
        t.setSize(content.length);
        t.setModTime(mtime);
        tar.putArchiveEntry(t);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
