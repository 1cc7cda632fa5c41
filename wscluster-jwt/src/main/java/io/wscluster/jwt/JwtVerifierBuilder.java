package io.wscluster.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * Builds a {@link JwtVerifier}; get one from {@link JwtVerifier#builder()}. Set exactly one key: an HMAC
 * secret (HS256), an RSA or EC public key (RS256, ES256 on P-256), or a JWK holding one of these. Each
 * setter validates its argument at once ({@link IllegalArgumentException} naming the field and value);
 * {@link #build()} checks the whole ({@link IllegalStateException}).
 *
 * @since 0.2.0
 */
public final class JwtVerifierBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(JwtVerifierBuilder.class);
    /** RFC 7518 section 3.2: an HS256 key must have at least the hash's 256 bits. */
    private static final int MIN_HMAC_BYTES = 32;

    private JWSVerifier signature;
    private JWSAlgorithm algorithm;
    String audience;
    Duration clockSkew = JwtVerifier.DEFAULT_CLOCK_SKEW;
    Clock clock = Clock.systemUTC();
    String queryParameter = JwtVerifier.DEFAULT_QUERY_PARAMETER;
    boolean bearerHeader = true;
    String userParameter;

    JwtVerifierBuilder() {
    }

    /**
     * Tokens are HS256-signed with this shared secret. A secret shorter than 32 bytes (256 bits, what
     * RFC 7518 requires) is accepted with a warning: it verifies exactly as HMAC defines for a short key,
     * but is easier to guess.
     *
     * @param secret the secret's bytes, at least one
     * @return this builder
     */
    public JwtVerifierBuilder hmacSecret(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length == 0) {
            throw new IllegalArgumentException("hmacSecret must not be empty");
        }
        if (secret.length < MIN_HMAC_BYTES) {
            LOG.warn("The JWT HMAC secret is {} bytes long, shorter than the 32 bytes (256 bits) RFC 7518 requires"
                    + " for HS256: use a longer random secret", secret.length);
        }
        // HMAC pads a key shorter than its block (64 bytes) with zeros, so the padded key makes the same
        // MACs as the short one; nimbus accepts only keys of 256 bits or more.
        byte[] key = secret.length < MIN_HMAC_BYTES ? Arrays.copyOf(secret, MIN_HMAC_BYTES) : secret.clone();
        try {
            return key(new MACVerifier(key), JWSAlgorithm.HS256);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("hmacSecret cannot verify HS256: " + e.getMessage(), e);
        }
    }

    /**
     * Tokens are HS256-signed with this shared secret, as UTF-8 bytes; see {@link #hmacSecret(byte[])}.
     *
     * @param secret the secret
     * @return this builder
     */
    public JwtVerifierBuilder hmacSecret(String secret) {
        Objects.requireNonNull(secret, "secret");
        return hmacSecret(secret.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Tokens are signed with the private key of this public key: RS256 for an RSA key (2048 bits or
     * more), ES256 for an EC key on P-256.
     *
     * @param key the public key
     * @return this builder
     */
    public JwtVerifierBuilder publicKey(PublicKey key) {
        Objects.requireNonNull(key, "key");
        try {
            if (key instanceof RSAPublicKey rsa) {
                if (rsa.getModulus().bitLength() < 2048) {
                    throw new IllegalArgumentException("publicKey must be an RSA key of 2048 bits or more but had "
                            + rsa.getModulus().bitLength());
                }
                return key(new RSASSAVerifier(rsa), JWSAlgorithm.RS256);
            }
            if (key instanceof ECPublicKey ec) {
                if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                    throw new IllegalArgumentException("publicKey must be an EC key on P-256 (ES256) but was on "
                            + Curve.forECParameterSpec(ec.getParams()));
                }
                return key(new ECDSAVerifier(ec), JWSAlgorithm.ES256);
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("publicKey cannot verify signatures: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("publicKey must be an RSA or EC key but was " + key.getAlgorithm());
    }

    /**
     * Tokens are verified with this JSON Web Key: an RSA or EC (P-256) public key, or an
     * {@code oct} key (an HMAC secret). Private parts, if present, are not used.
     *
     * @param json one JWK as JSON (not a key set)
     * @return this builder
     */
    public JwtVerifierBuilder jwk(String json) {
        Objects.requireNonNull(json, "json");
        JWK jwk;
        try {
            jwk = JWK.parse(json);
        } catch (ParseException e) {
            throw new IllegalArgumentException("jwk is not a JSON Web Key: " + e.getMessage(), e);
        }
        try {
            if (jwk instanceof RSAKey rsa) {
                return publicKey(rsa.toRSAPublicKey());
            }
            if (jwk instanceof ECKey ec) {
                return publicKey(ec.toECPublicKey());
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("jwk holds no usable public key: " + e.getMessage(), e);
        }
        if (jwk instanceof OctetSequenceKey oct) {
            return hmacSecret(oct.toByteArray());
        }
        throw new IllegalArgumentException("jwk must be an RSA, EC or oct key but was " + jwk.getKeyType());
    }

    private JwtVerifierBuilder key(JWSVerifier verifier, JWSAlgorithm alg) {
        if (signature != null) {
            throw new IllegalStateException("the key is already set (" + algorithm + "): set one of hmacSecret, publicKey, jwk");
        }
        this.signature = verifier;
        this.algorithm = alg;
        return this;
    }

    /**
     * The {@code aud} claim must contain this value (default: not checked).
     *
     * @param audience the expected audience
     * @return this builder
     */
    public JwtVerifierBuilder audience(String audience) {
        Objects.requireNonNull(audience, "audience");
        if (audience.isEmpty()) {
            throw new IllegalArgumentException("audience must not be empty");
        }
        this.audience = audience;
        return this;
    }

    /**
     * How far the issuer's clock may differ from this node's, applied to {@code exp} and {@code nbf}
     * (default 30 s).
     *
     * @param skew 0 or more, at most 10 minutes
     * @return this builder
     */
    public JwtVerifierBuilder clockSkew(Duration skew) {
        Objects.requireNonNull(skew, "skew");
        if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("clockSkew must be 0..10 minutes but was " + skew);
        }
        this.clockSkew = skew;
        return this;
    }

    /**
     * The clock that says what time it is (default the system's); tests move a clock of their own.
     *
     * @param clock the clock
     * @return this builder
     */
    public JwtVerifierBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * The query parameter that may carry the token (default {@value JwtVerifier#DEFAULT_QUERY_PARAMETER}),
     * or null to accept the header only. Browsers cannot set headers on a WebSocket, so a page needs the
     * parameter; a query string may end up in access logs, so keep tokens short-lived.
     *
     * @param name the parameter, or null
     * @return this builder
     */
    public JwtVerifierBuilder queryParameter(String name) {
        if (name != null && name.isEmpty()) {
            throw new IllegalArgumentException("queryParameter must not be empty (null turns it off)");
        }
        this.queryParameter = name;
        return this;
    }

    /**
     * Whether an {@code Authorization: Bearer TOKEN} header may carry the token (default true). When both
     * the header and the parameter are present they must carry the same token.
     *
     * @param accepted false to accept the query parameter only
     * @return this builder
     */
    public JwtVerifierBuilder bearerHeader(boolean accepted) {
        this.bearerHeader = accepted;
        return this;
    }

    /**
     * A query parameter that, when a client sends it, must equal the token's {@code sub} (default: none).
     * The user still comes from the token only; the check refuses a client that claims another user.
     *
     * @param name the parameter, e.g. {@code "user"}
     * @return this builder
     */
    public JwtVerifierBuilder userParameter(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("userParameter must not be empty");
        }
        this.userParameter = name;
        return this;
    }

    /**
     * @return the verifier
     * @throws IllegalStateException if no key is set, or the token can be found nowhere
     */
    public JwtVerifier build() {
        if (signature == null) {
            throw new IllegalStateException("no key: call hmacSecret(...), publicKey(...) or jwk(...)");
        }
        if (queryParameter == null && !bearerHeader) {
            throw new IllegalStateException("no token location: queryParameter is null and bearerHeader is false");
        }
        if (queryParameter != null && queryParameter.equals(userParameter)) {
            throw new IllegalStateException("queryParameter and userParameter are both '" + queryParameter + "'");
        }
        return new JwtVerifier(this, signature, algorithm);
    }
}
