package dev.runbook.action.etcd;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * An etcd client's TLS material, held in memory only: the CA that signs the members' server
 * certificates, and the client certificate and key (absent when the cluster asks for none).
 * {@code origin} says where each came from ("etcd-01:/etc/kubernetes/pki/etcd/ca.crt (kubeadm
 * defaults)") for the operator; the bytes are never written to disk or journaled.
 *
 * @param cert null with {@code key} when the cluster does not ask for a client certificate
 */
record TlsMaterial(List<X509Certificate> ca, List<X509Certificate> cert, PrivateKey key, String origin) {
    /**
     * Parses and checks PEM bytes: the CA and the certificate must parse, the key must be one of
     * the three PEM forms and the private half of the certificate. {@code caName} etc. name the
     * files in errors (host and path).
     */
    static TlsMaterial parse(byte[] ca, String caName, byte[] cert, String certName, byte[] key, String keyName, String origin) {
        List<X509Certificate> caCerts = PemKeys.certificates(ca, caName);
        if (cert == null || key == null) {
            return new TlsMaterial(caCerts, null, null, origin);
        }
        List<X509Certificate> chain = PemKeys.certificates(cert, certName);
        PrivateKey k = PemKeys.privateKey(key, keyName);
        if (!PemKeys.matches(k, chain.get(0))) {
            throw new IllegalArgumentException("the key " + keyName + " does not belong to the certificate " + certName
                    + " (" + chain.get(0).getSubjectX500Principal().getName() + ")");
        }
        return new TlsMaterial(caCerts, chain, k, origin);
    }

    @Override
    public String toString() {
        return "TlsMaterial[" + origin + "]"; // never the key
    }
}
