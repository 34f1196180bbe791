package dev.runbook.transport.ssh;

import dev.runbook.transport.TransportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.config.hosts.HostConfigEntry;

/**
 * An OpenSSH client configuration ({@code ~/.ssh/config}) read with Apache MINA's reader, and the
 * settings it gives one host name as {@code ssh} decides them: every {@code Host} block whose
 * patterns match (negations included) applies, in file order, and the FIRST value of each
 * setting wins; {@code IdentityFile} accumulates. {@code Match} blocks are not evaluated (a file
 * that has them still works; their settings are not applied).
 */
final class OpenSshConfig {
    /** What the file says for one host; null where it says nothing. */
    record Settings(String hostName, Integer port, String user, List<String> identityFiles, Boolean identitiesOnly,
                    String proxyJump, String knownHosts, String identityAgent) {
        static final Settings NONE = new Settings(null, null, null, List.of(), null, null, null, null);
    }

    /** Files read in this run, by path: 100 hosts look up one file once. */
    private static final Map<Path, List<HostConfigEntry>> READ = new ConcurrentHashMap<>();

    private OpenSshConfig() {
    }

    /** The default file, {@code ~/.ssh/config} of the user running the engine. */
    static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".ssh", "config");
    }

    /** The settings {@code file} gives {@code host} (NONE when the file does not exist); a file that cannot be read names itself. */
    static Settings lookup(Path file, String host, String forHost) {
        if (file == null || !Files.isRegularFile(file)) {
            return Settings.NONE;
        }
        List<HostConfigEntry> entries = READ.computeIfAbsent(file.toAbsolutePath(), f -> {
            try {
                return HostConfigEntry.readHostConfigEntries(f);
            } catch (IOException | RuntimeException e) {
                throw new TransportException(forHost, "cannot read the ssh config " + f + ": " + e.getMessage(),
                        "fix the file (ssh -G " + host + " shows how OpenSSH reads it), or point -F elsewhere", e);
            }
        });
        String hostName = null;
        Integer port = null;
        String user = null;
        List<String> ids = new ArrayList<>();
        Boolean only = null;
        String jump = null;
        String kh = null;
        String agent = null;
        for (HostConfigEntry e : HostConfigEntry.findMatchingEntries(host, entries)) {
            for (Map.Entry<String, String> p : e.getProperties().entrySet()) {
                String v = p.getValue();
                switch (p.getKey().toLowerCase(Locale.ROOT)) {
                    case "hostname" -> hostName = hostName == null ? v : hostName;
                    case "port" -> {
                        if (port == null) {
                            try {
                                port = Integer.parseInt(v.trim());
                            } catch (NumberFormatException bad) {
                                throw new TransportException(forHost, "the ssh config " + file + " gives Port '" + v + "'", "a port is a number", null);
                            }
                        }
                    }
                    case "user" -> user = user == null ? v : user;
                    case "identitiesonly" -> only = only == null ? TargetResolver.truthy(v) : only;
                    case "proxyjump" -> jump = jump == null ? v : jump;
                    case "userknownhostsfile" -> kh = kh == null ? SshArgs.words(v).get(0) : kh;
                    case "identityagent" -> agent = agent == null ? v : agent;
                    default -> {
                        // a setting runbook does not use
                    }
                }
            }
            // IdentityFile may appear several times and in several blocks: all of them, in order
            for (String id : e.getIdentities()) {
                if (!ids.contains(id)) {
                    ids.add(id);
                }
            }
        }
        if (hostName != null) {
            hostName = hostName.replace("%h", host).replace("%%", "%");
        }
        return new Settings(hostName, port, user, List.copyOf(ids), only, jump, kh, agent);
    }
}
