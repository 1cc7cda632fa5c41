package io.wscluster.examples.chat.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Mints HS256 tokens as an issuer would, for the chat node's {@code --auth-secret}. */
public final class Jwts {

    private Jwts() {
    }

    /**
     * @param secret   the shared secret (32 bytes or more)
     * @param sub      the user
     * @param exp      the expiry
     * @param audience the aud claim, or null for none
     * @return the compact token
     */
    public static String hs256(String secret, String sub, Instant exp, String audience) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(sub).expirationTime(Date.from(exp));
        if (audience != null) {
            claims.audience(List.of(audience));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** @return a token for {@code sub}, valid for ten minutes */
    public static String valid(String secret, String sub, String audience) {
        return hs256(secret, sub, Instant.now().plusSeconds(600), audience);
    }
}
