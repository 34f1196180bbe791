package dev.runbook.transport.ssh;

import com.hierynomus.sshj.transport.verification.KnownHostMatchers;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * A known_hosts file as OpenSSH writes it, read once per run and indexed by host: the lines that
 * apply to one host, their keys decoded on first use. It decides nothing; {@link HostKeyPolicy}
 * does.
 *
 * <p>Why the index: decoding a key is an Ed25519 point decompression (~2 ms of CPU before the JIT
 * warms up), and sshj's own reader decodes every line, so a 100-line file cost a 100-host run ~0.2
 * CPU-s on its critical path. Lines naming hosts plainly are indexed by name, so a host is matched
 * against its own lines and the wildcard or hashed ones, not the whole file. Matching and entries
 * are sshj's, unchanged; one match at a time only where the file has hashed names (a hashed
 * entry's HMAC is not thread-safe), else in parallel. Two corrections, both as OpenSSH decides: a
 * key marked {@code @revoked} is reported even when another line lists it, and a negated pattern
 * ({@code !host}) excludes the host from its line (sshj's matcher lets a negated pattern match
 * every OTHER host, so one line {@code *.example,!a.example KEY} vouched for KEY on any host at all).
 */
final class KnownHostsFile {
    /** sshj's line parser; its factory is an inner class of a verifier, so one empty verifier holds it. */
    private static final OpenSSHKnownHosts.EntryFactory FACTORY;

    static {
        SshConfig.ensureProviders();
        try {
            FACTORY = new OpenSSHKnownHosts(new java.io.StringReader("")).new EntryFactory();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private final File file;
    private final Parsed lines;

    /** Reads {@code knownHosts} (an absent file has no lines), or reuses this run's reading of it. */
    KnownHostsFile(File knownHosts) throws IOException {
        this.file = knownHosts;
        this.lines = shared();
    }

    /** The entries that apply to a host, in file order, and whether one of them revokes the offered key. */
    record Selection(List<OpenSSHKnownHosts.KnownHostEntry> entries, boolean revoked) {
    }

    /**
     * One known_hosts line: its host patterns, and its entry decoded on first use. A line sshj
     * would skip (unparseable patterns, a bad key) is skipped here too.
     */
    private static final class Line {
        private final String text;
        /** The positive patterns; null when the line has none (it then applies to no host). */
        private final KnownHostMatchers.HostMatcher hosts;
        /** The negated patterns, without their "!". */
        private final List<KnownHostMatchers.HostMatcher> excluded;
        /** The key's base64 blob on a {@code @revoked} line, else null. */
        private final String revoked;
        /** The line's position in the file (the lines that apply are checked in file order). */
        private final int index;
        /**
         * Its names, lower-cased, when every positive pattern is a plain name (no wildcard, not
         * hashed): such a line can only apply to one of these. Null otherwise.
         */
        private final List<String> plain;
        /** A hashed name ({@code |1|salt|hash}): its sshj entry matches with a MAC that is not thread-safe. */
        private final boolean hashed;
        private OpenSSHKnownHosts.KnownHostEntry entry;
        private boolean decoded;

        private Line(int index, String text, String patterns, String revoked) throws IOException {
            this.index = index;
            this.text = text;
            this.revoked = revoked;
            List<String> positive = new java.util.ArrayList<>();
            List<KnownHostMatchers.HostMatcher> negative = new java.util.ArrayList<>();
            if (patterns.startsWith("|")) {
                positive.add(patterns); // a hashed name: one per line, no negation (sshj checks the form)
            } else {
                for (String p : patterns.split(",")) {
                    if (p.startsWith("!")) {
                        negative.add(KnownHostMatchers.createMatcher(p.substring(1)));
                    } else if (!p.isEmpty()) {
                        positive.add(p);
                    }
                }
            }
            this.hosts = positive.isEmpty() ? null : KnownHostMatchers.createMatcher(String.join(",", positive));
            this.excluded = List.copyOf(negative);
            boolean allPlain = !positive.isEmpty() && positive.stream().noneMatch(p -> p.startsWith("|") || p.indexOf('*') >= 0 || p.indexOf('?') >= 0);
            this.plain = allPlain ? positive.stream().map(p -> p.toLowerCase(java.util.Locale.ROOT)).toList() : null;
            this.hashed = patterns.startsWith("|");
        }

        /** OpenSSH's rule: at least one positive pattern matches and no negated one does. */
        private boolean appliesTo(String host) throws IOException {
            if (hosts == null || !hosts.match(host)) {
                return false;
            }
            for (KnownHostMatchers.HostMatcher m : excluded) {
                if (m.match(host)) {
                    return false;
                }
            }
            return true;
        }

        /** The entry, or null when sshj cannot read the line; decoded once, whichever connection asks first. */
        private synchronized OpenSSHKnownHosts.KnownHostEntry entry(OpenSSHKnownHosts.EntryFactory factory) {
            if (!decoded) {
                decoded = true;
                try {
                    entry = factory.parseEntry(text);
                } catch (IOException | RuntimeException e) {
                    entry = null;
                }
            }
            return entry;
        }
    }

    /**
     * A known_hosts file's bytes and its lines: those naming hosts plainly indexed by name, the
     * rest (wildcards, hashed names) kept aside. A host's candidates are its own plain lines and
     * the rest, not the whole file: with one plain line per host, a 100-host run matched 100 x 100
     * lines, twice per connection, one connection at a time.
     */
    private record Parsed(byte[] content, Map<String, List<Line>> byName, List<Line> other, boolean anyHashed,
                          java.nio.file.attribute.FileTime modified) {
        static Parsed of(byte[] content, List<Line> lines, java.nio.file.attribute.FileTime modified) {
            Map<String, List<Line>> byName = new java.util.HashMap<>();
            List<Line> other = new java.util.ArrayList<>();
            for (Line l : lines) {
                if (l.plain == null) {
                    other.add(l);
                } else {
                    for (String n : new java.util.LinkedHashSet<>(l.plain)) {
                        byName.computeIfAbsent(n, k -> new java.util.ArrayList<>()).add(l);
                    }
                }
            }
            return new Parsed(content, byName, other, other.stream().anyMatch(l -> l.hashed), modified);
        }

        /** The lines that may apply to {@code host} (lower-cased, with its [ ]:port), in file order. */
        List<Line> candidates(String host) {
            List<Line> named = byName.getOrDefault(host, List.of());
            if (named.isEmpty()) {
                return other;
            }
            List<Line> all = new java.util.ArrayList<>(named.size() + other.size());
            all.addAll(named);
            all.addAll(other);
            all.sort(java.util.Comparator.comparingInt(l -> l.index));
            return all;
        }
    }

    /** Read files by path; a file whose bytes changed since (an accepted key, an edit) is read again. */
    private static final Map<String, Parsed> PARSED = new ConcurrentHashMap<>();
    /** Held while matching where the file has hashed names (their MAC is shared and not thread-safe); else connections check in parallel. */
    private static final Object MATCHING = new Object();

    Object matchingLock() {
        return lines.anyHashed() ? MATCHING : this;
    }

    private Parsed shared() throws IOException {
        if (!file.exists()) {
            return Parsed.of(new byte[0], List.of(), null);
        }
        // one read and parse, not one per connection: a run's connections all start at once. A
        // file of another size or modification time is read again; one of the same is compared
        // byte by byte only if it was modified in the last 2 s (an edit within the clock's
        // granularity keeps both)
        java.nio.file.attribute.BasicFileAttributes attrs = Files.readAttributes(file.toPath(), java.nio.file.attribute.BasicFileAttributes.class);
        String path = file.getAbsolutePath();
        synchronized (PARSED) {
            Parsed p = PARSED.get(path);
            boolean recent = System.currentTimeMillis() - attrs.lastModifiedTime().toMillis() < 2000;
            if (p != null && p.content().length == attrs.size() && attrs.lastModifiedTime().equals(p.modified()) && !recent) {
                return p;
            }
            byte[] now = Files.readAllBytes(file.toPath());
            if (p == null || !java.util.Arrays.equals(p.content(), now)) {
                p = Parsed.of(now, lines(new String(now, StandardCharsets.UTF_8)), attrs.lastModifiedTime());
            } else {
                p = new Parsed(p.content(), p.byName(), p.other(), p.anyHashed(), attrs.lastModifiedTime());
            }
            PARSED.put(path, p);
            return p;
        }
    }

    /** The lines with host patterns, split as sshj's EntryFactory splits them (marker, hosts, key ...). */
    private static List<Line> lines(String content) {
        List<Line> out = new java.util.ArrayList<>();
        for (String text : content.split("\n")) {
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] f = text.trim().split("\\s+", 5);
            OpenSSHKnownHosts.Marker marker = OpenSSHKnownHosts.Marker.fromString(f[0]);
            int i = marker != null ? 1 : 0;
            if (f.length < i + 2) {
                continue;
            }
            String revoked = marker == OpenSSHKnownHosts.Marker.REVOKED && f.length > i + 2 ? f[i + 2] : null;
            try {
                out.add(new Line(out.size(), text, f[i], revoked));
            } catch (IOException e) {
                // sshj drops a line whose patterns it cannot read; so does the check
            }
        }
        return out;
    }

    /**
     * The entries whose patterns apply to {@code hostname} at {@code port}, keys decoded once per
     * run; {@code revoked} when one of them marks {@code key} (null: no key to check) as revoked.
     * Hold {@link #matchingLock} while calling it and using the entries.
     */
    Selection select(String hostname, int port, PublicKey key) {
        String adjusted = adjusted(hostname, port);
        String offered = key == null ? null : blob(key);
        boolean revoked = false;
        List<OpenSSHKnownHosts.KnownHostEntry> out = new java.util.ArrayList<>();
        for (Line l : lines.candidates(adjusted)) {
            try {
                if (l.appliesTo(adjusted)) {
                    revoked |= offered != null && offered.equals(l.revoked);
                    OpenSSHKnownHosts.KnownHostEntry e = l.entry(FACTORY);
                    if (e != null) {
                        out.add(e);
                    }
                }
            } catch (IOException e) {
                // a hashed pattern sshj cannot compute never matches in sshj either
            }
        }
        return new Selection(out, revoked);
    }

    /** The host as known_hosts names it: lower case, {@code [host]:port} off port 22. */
    static String adjusted(String hostname, int port) {
        return port != 22 ? "[" + hostname.toLowerCase() + "]:" + port : hostname.toLowerCase();
    }

    /** Appends a line for a newly accepted key (with the opt-in); false when the file cannot be written. */
    boolean append(String adjustedHost, PublicKey key) {
        String line = adjustedHost + " " + KeyType.fromKey(key) + " " + blob(key) + "\n";
        synchronized (KnownHostsFile.class) {
            try {
                if (file.getParentFile() != null) {
                    Files.createDirectories(file.getParentFile().toPath());
                }
                Files.writeString(file.toPath(), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private static String blob(PublicKey key) {
        return Base64.getEncoder().encodeToString(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    }
}
