package dev.runbook.transport.ssh;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Queue;
import com.hierynomus.sshj.key.KeyAlgorithm;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthPublickey;

/**
 * A client of ssh-agent ({@code SSH_AUTH_SOCK}, draft-miller-ssh-agent): lists the keys it holds
 * and has it sign a login, so a key that never leaves the agent (a hardware key, a key added with
 * {@code ssh-add}) logs in as with OpenSSH. RSA keys sign with rsa-sha2-256/512 (flags 2 and 4), as
 * the server negotiated, never SHA-1 unless the server offers only that.
 *
 * <p>Written here, not taken from a library: no released sshj speaks to an agent (0.40.0), and the
 * one adapter for sshj ({@code jsch.agentproxy.sshj} 0.0.9) was built for sshj 0.34 and signs RSA
 * keys as SHA-1 {@code ssh-rsa}, which OpenSSH 8.8+ refuses. The protocol is two requests; the JDK
 * (16+) speaks unix-domain sockets.
 */
final class Agent {
    private static final byte REQUEST_IDENTITIES = 11;
    private static final byte IDENTITIES_ANSWER = 12;
    private static final byte SIGN_REQUEST = 13;
    private static final byte SIGN_RESPONSE = 14;
    private static final int RSA_SHA2_256 = 2;
    private static final int RSA_SHA2_512 = 4;

    static {
        SshConfig.ensureProviders();
    }

    private final Path socket;

    /** One key the agent holds: its wire blob, comment, and decoded public key. */
    record Identity(byte[] blob, String comment, PublicKey key) {
    }

    Agent(Path socket) {
        this.socket = socket;
    }

    Path socket() {
        return socket;
    }

    /** The keys the agent holds, in its order; keys of a type sshj cannot read are left out. */
    List<Identity> identities() throws IOException {
        Buffer.PlainBuffer reply = call(new byte[] {REQUEST_IDENTITIES});
        try {
            byte type = reply.readByte();
            if (type != IDENTITIES_ANSWER) {
                throw new IOException("the agent answered " + type + " to a request for its keys");
            }
            long n = reply.readUInt32();
            List<Identity> out = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                byte[] blob = reply.readBytes();
                String comment = reply.readString();
                try {
                    PublicKey key = new Buffer.PlainBuffer(blob).readPublicKey();
                    if (KeyType.fromKey(key) != KeyType.UNKNOWN) {
                        out.add(new Identity(blob, comment, key));
                    }
                } catch (Buffer.BufferException | RuntimeException unreadable) {
                    // a key type sshj does not know (a security key, say): not offered
                }
            }
            return out;
        } catch (Buffer.BufferException e) {
            throw new IOException("the agent's list of keys is malformed: " + e.getMessage(), e);
        }
    }

    /** The agent's signature of {@code data} with {@code blob}'s key: the signature's wire form (string algorithm, string bytes). */
    byte[] sign(byte[] blob, byte[] data, String algorithm) throws IOException {
        int flags = "rsa-sha2-256".equals(algorithm) ? RSA_SHA2_256 : "rsa-sha2-512".equals(algorithm) ? RSA_SHA2_512 : 0;
        Buffer.PlainBuffer req = new Buffer.PlainBuffer();
        req.putByte(SIGN_REQUEST).putBytes(blob).putBytes(data).putUInt32(flags);
        Buffer.PlainBuffer reply = call(req.getCompactData());
        try {
            byte type = reply.readByte();
            if (type != SIGN_RESPONSE) {
                throw new IOException("the agent refused to sign (answer " + type + "; a confirmation declined, or the key was removed?)");
            }
            return reply.readBytes();
        } catch (Buffer.BufferException e) {
            throw new IOException("the agent's signature is malformed: " + e.getMessage(), e);
        }
    }

    /** One request and its reply, on a connection of its own (an agent serves many clients at once). */
    private Buffer.PlainBuffer call(byte[] message) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("SSH_AUTH_SOCK names " + socket + ", which does not exist");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.allocate(4 + message.length).putInt(message.length).put(message).flip();
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteBuffer len = readFully(ch, 4);
            int n = len.getInt();
            if (n < 1 || n > 256 * 1024) {
                throw new IOException("the agent sent a reply of " + n + " bytes");
            }
            return new Buffer.PlainBuffer(readFully(ch, n).array());
        } catch (java.net.SocketException e) {
            throw new IOException("cannot talk to the agent at " + socket + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer readFully(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("the agent closed the connection");
            }
        }
        return b.flip();
    }

    /** The login with one agent key: sshj's public-key method, its signature made by the agent. */
    static final class Auth extends AuthPublickey {
        private final Agent agent;
        private final Identity id;
        private Queue<KeyAlgorithm> algorithms;

        Auth(Agent agent, Identity id) {
            super(publicOnly(id));
            this.agent = agent;
            this.id = id;
        }

        private KeyAlgorithm algorithm() throws TransportException {
            if (algorithms == null) {
                algorithms = new LinkedList<>(params.getTransport().getClientKeyAlgorithms(KeyType.fromKey(id.key())));
            }
            return algorithms.peek();
        }

        @Override
        public boolean shouldRetry() {
            if (algorithms != null) {
                algorithms.poll();
                return !algorithms.isEmpty();
            }
            return false;
        }

        @Override
        protected SSHPacket putPubKey(SSHPacket reqBuf) throws UserAuthException {
            try {
                KeyAlgorithm ka = algorithm();
                if (ka == null) {
                    throw new UserAuthException("no key algorithm for the agent's " + KeyType.fromKey(id.key()) + " key");
                }
                reqBuf.putString(ka.getKeyAlgorithm()).putString(id.blob());
                return reqBuf;
            } catch (TransportException e) {
                throw new UserAuthException(e);
            }
        }

        @Override
        protected SSHPacket putSig(SSHPacket reqBuf) throws UserAuthException {
            try {
                byte[] data = new Buffer.PlainBuffer().putString(params.getTransport().getSessionID()).putBuffer(reqBuf).getCompactData();
                reqBuf.putString(agent.sign(id.blob(), data, algorithm().getKeyAlgorithm()));
                return reqBuf;
            } catch (IOException e) {
                throw new UserAuthException("ssh-agent: " + e.getMessage(), e);
            }
        }

        @Override
        public String toString() {
            return "agent key " + id.comment();
        }
    }

    private static KeyProvider publicOnly(Identity id) {
        return new KeyProvider() {
            @Override
            public java.security.PrivateKey getPrivate() throws IOException {
                throw new IOException("the private key stays in ssh-agent");
            }

            @Override
            public PublicKey getPublic() {
                return id.key();
            }

            @Override
            public KeyType getType() {
                return KeyType.fromKey(id.key());
            }
        };
    }
}
