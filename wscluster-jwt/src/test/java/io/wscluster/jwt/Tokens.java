package io.wscluster.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

/** Mints tokens for tests, as an issuer would (nimbus-jose-jwt's signers). */
final class Tokens {

    private Tokens() {
    }

    /** @return claims with sub and exp, and the given audience if not null */
    static JWTClaimsSet.Builder claims(String sub, Instant exp, String audience) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject(sub).expirationTime(Date.from(exp));
        if (audience != null) {
            b.audience(List.of(audience));
        }
        return b;
    }

    static String hs256(String secret, JWTClaimsSet claims) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        // as an issuer does for a short secret: HMAC pads it with zeros, so the padded key signs alike
        return sign(macSigner(key.length < 32 ? Arrays.copyOf(key, 32) : key), JWSAlgorithm.HS256, claims);
    }

    static String rs256(KeyPair pair, JWTClaimsSet claims) {
        return sign(new RSASSASigner((RSAPrivateKey) pair.getPrivate()), JWSAlgorithm.RS256, claims);
    }

    static String es256(KeyPair pair, JWTClaimsSet claims) {
        try {
            return sign(new ECDSASigner((ECPrivateKey) pair.getPrivate()), JWSAlgorithm.ES256, claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return an unsecured token ({@code alg: none}) */
    static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    private static JWSSigner macSigner(byte[] key) {
        try {
            return new MACSigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
