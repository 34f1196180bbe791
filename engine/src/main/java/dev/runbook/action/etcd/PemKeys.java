package dev.runbook.action.etcd;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * PEM private keys and certificates in the forms etcd deployments hold: PKCS#8 ("BEGIN PRIVATE
 * KEY", openssl and cfssl), PKCS#1 ("BEGIN RSA PRIVATE KEY", kubeadm's RSA keys) and SEC1 ("BEGIN
 * EC PRIVATE KEY", kubeadm's and cfssl's EC keys), all read into a JDK {@link PrivateKey}. The two
 * older forms are wrapped into PKCS#8 with BouncyCastle's ASN.1 types only (no BouncyCastle
 * provider or PEM parser), so every form costs what PKCS#8 costs.
 */
final class PemKeys {
    private PemKeys() {
    }

    /** The private key in {@code pem}; {@code name} (host and path) is for the error message. */
    static PrivateKey privateKey(byte[] pem, String name) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new IllegalArgumentException(name + " is an encrypted private key: etcd's client keys are not encrypted; give the unencrypted key");
        }
        try {
            byte[] der = block(text, "PRIVATE KEY");
            if (der != null) {
                return pkcs8(der, name);
            }
            der = block(text, "RSA PRIVATE KEY");
            if (der != null) {
                PrivateKeyInfo info = new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(der));
                return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            }
            der = block(text, "EC PRIVATE KEY");
            if (der != null) {
                org.bouncycastle.asn1.sec.ECPrivateKey sec1 = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(der);
                if (!(sec1.getParametersObject() instanceof ASN1ObjectIdentifier curve)) {
                    throw new IllegalArgumentException(name + ": an EC key without a named curve is not supported");
                }
                PrivateKeyInfo info = new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), sec1);
                return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            }
        } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith(name)) {
                throw iae;
            }
            throw new IllegalArgumentException(name + " is not a readable private key (" + e.getMessage() + ")", e);
        }
        throw new IllegalArgumentException(name + " holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(byte[] der, String name) throws GeneralSecurityException {
        for (String alg : new String[] {"EC", "RSA", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // another algorithm's key: try the next
            }
        }
        throw new GeneralSecurityException("no EC, RSA or Ed25519 key in its PKCS#8 block");
    }

    /** The certificates in {@code pem}, in order (a chain or a CA bundle); at least one. */
    static List<X509Certificate> certificates(byte[] pem, String name) {
        try {
            List<X509Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(new java.io.ByteArrayInputStream(pem))
                    .stream().map(c -> (X509Certificate) c).toList();
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(name + " holds no PEM certificate");
            }
            return certs;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(name + " is not a PEM certificate (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Whether {@code key} is the private half of {@code cert}'s public key: a signature made with
     * one is checked with the other, which works for every key type alike.
     */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        PublicKey pub = cert.getPublicKey();
        if (!pub.getAlgorithm().equals(key.getAlgorithm())) {
            return false;
        }
        String alg = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm();
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature s = Signature.getInstance(alg);
            if (alg.equals("RSASSA-PSS")) {
                s.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            s.initSign(key);
            s.update(challenge);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            if (alg.equals("RSASSA-PSS")) {
                v.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            v.initVerify(pub);
            v.update(challenge);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The DER bytes of the first {@code -----BEGIN <type>-----} block, or null when there is none. */
    private static byte[] block(String text, String type) {
        String begin = "-----BEGIN " + type + "-----";
        int at = text.indexOf(begin);
        if (at < 0) {
            return null;
        }
        int end = text.indexOf("-----END " + type + "-----", at);
        if (end < 0) {
            throw new IllegalArgumentException("its " + type + " block has no END line");
        }
        return Base64.getMimeDecoder().decode(text.substring(at + begin.length(), end).replaceAll("(?m)^[A-Za-z-]+:.*$", ""));
    }
}
