package dev.runbook.bundle;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * age encryption (age-encryption.org/v1, X25519) as the {@code age} CLI reads and writes it:
 * recipients are {@code age1...} public keys, identities are {@code AGE-SECRET-KEY-1...} lines of
 * an identity file (what {@code age-keygen} writes). Errors are {@link IllegalArgumentException}s
 * whose message names the bad key or file and never contains key material.
 */
public final class Age {
    private Age() {
    }

    /**
     * The recipients named by {@code spec}: {@code age1...} keys and recipients files (one key per
     * line, {@code #} comments, as {@code age -R} reads), separated by spaces or commas; relative
     * files resolve against {@code baseDir}.
     */
    public static List<String> recipients(String spec, Path baseDir) {
        List<String> out = new ArrayList<>();
        for (String token : spec.trim().split("[\\s,]+")) {
            if (token.isEmpty()) {
                continue;
            }
            if (token.startsWith("age1")) {
                out.add(checkedRecipient(token, "the recipient " + token));
                continue;
            }
            Path file = baseDir.resolve(token).normalize();
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("recipient '" + token + "' is neither an age1... public key nor a recipients file (" + file + " does not exist)");
            }
            for (String line : lines(file)) {
                out.add(checkedRecipient(line, "a line of " + file));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no age recipient given: name at least one age1... public key (age-keygen -y IDENTITY prints it) or recipients file");
        }
        return out;
    }

    /** The {@code AGE-SECRET-KEY-1...} identities of an identity file. */
    public static List<String> identities(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("identity file " + file + " does not exist");
        }
        List<String> out = new ArrayList<>();
        for (String line : lines(file)) {
            if (!line.startsWith("AGE-SECRET-KEY-1")) {
                throw new IllegalArgumentException("identity file " + file + " has a line that is not an AGE-SECRET-KEY-1... identity (a passphrase or SSH identity is not supported)");
            }
            try {
                X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(line);
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException("identity file " + file + " holds a malformed AGE-SECRET-KEY-1... identity");
            }
            out.add(line);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("identity file " + file + " holds no AGE-SECRET-KEY-1... identity");
        }
        return out;
    }

    /** A stream that encrypts what is written to it into {@code out}; closing it finishes the age file and closes {@code out}. */
    public static OutputStream encrypt(OutputStream out, List<String> recipients) throws IOException {
        List<RecipientStanzaWriter> writers = new ArrayList<>();
        try {
            for (String r : recipients) {
                writers.add(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(r));
            }
            return Channels.newOutputStream(new StandardEncryptingChannelFactory().newEncryptingChannel(Channels.newChannel(out), writers));
        } catch (GeneralSecurityException e) {
            throw new IOException("age encryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * A stream of {@code in} decrypted with one of {@code identities}; an identity none of the
     * file's recipients matches fails here, a tampered payload fails while reading.
     */
    public static InputStream decrypt(InputStream in, List<String> identities, String what) throws IOException {
        List<RecipientStanzaReader> readers = new ArrayList<>();
        try {
            for (String id : identities) {
                readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(id));
            }
            return Channels.newInputStream(new StandardDecryptingChannelFactory().newDecryptingChannel(Channels.newChannel(in), readers));
        } catch (GeneralSecurityException e) {
            throw new IOException("wrong identity for " + what + ": it was encrypted to other recipients (or it is not an age file)", e);
        }
    }

    private static String checkedRecipient(String key, String what) {
        try {
            X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(key);
            return key;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(what + " is not a valid age1... X25519 public key");
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
