package io.wscluster.jwt;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import io.wscluster.tyrus.HandshakeRejection;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The keys a {@link JwtVerifier} accepts (HS256, RS256, ES256, JWK), and its builder's validation. */
class JwtVerifierTest {

    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final MutableClock CLOCK = new MutableClock(NOW);

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static com.nimbusds.jwt.JWTClaimsSet claims(String sub) {
        return Tokens.claims(sub, NOW.plusSeconds(60), null).build();
    }

    @Test
    void rs256_publicKeyAndJwk_verify_andRefuseOtherKeysAndAlgorithms() throws Exception {
        KeyPair pair = rsa();
        JwtVerifier byKey = JwtVerifier.builder().publicKey(pair.getPublic()).clock(CLOCK).build();
        String jwk = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).build().toJSONString();
        JwtVerifier byJwk = JwtVerifier.builder().jwk(jwk).clock(CLOCK).build();

        assertThat(byKey.algorithm()).isEqualTo("RS256");
        assertThat(byKey.verifyToken(Tokens.rs256(pair, claims("alice")))).isEqualTo("alice");
        assertThat(byJwk.verifyToken(Tokens.rs256(pair, claims("alice")))).isEqualTo("alice");
        assertThatThrownBy(() -> byKey.verifyToken(Tokens.rs256(rsa(), claims("alice"))))
                .isInstanceOf(HandshakeRejection.class).hasMessage("token signature does not verify");
        // a token may not pick HMAC and sign with something the attacker knows
        assertThatThrownBy(() -> byKey.verifyToken(Tokens.hs256("a shared secret of more than 32 bytes", claims("alice"))))
                .isInstanceOf(HandshakeRejection.class).hasMessage("token algorithm HS256 is not RS256");
    }

    @Test
    void es256_publicKeyAndJwk_verify() throws Exception {
        KeyPair pair = ec();
        JwtVerifier byKey = JwtVerifier.builder().publicKey(pair.getPublic()).clock(CLOCK).build();
        String jwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) pair.getPublic()).build().toJSONString();
        JwtVerifier byJwk = JwtVerifier.builder().jwk(jwk).clock(CLOCK).build();

        assertThat(byKey.algorithm()).isEqualTo("ES256");
        assertThat(byKey.verifyToken(Tokens.es256(pair, claims("bob")))).isEqualTo("bob");
        assertThat(byJwk.verifyToken(Tokens.es256(pair, claims("bob")))).isEqualTo("bob");
        assertThatThrownBy(() -> byKey.verifyToken(Tokens.es256(ec(), claims("bob"))))
                .isInstanceOf(HandshakeRejection.class).hasMessage("token signature does not verify");
    }

    @Test
    void hs256_shortSecret_verifiesAsHmacDefines() {
        JwtVerifier verifier = JwtVerifier.builder().hmacSecret("short").clock(CLOCK).build();

        assertThat(verifier.verifyToken(Tokens.hs256("short", claims("carol")))).isEqualTo("carol");
        assertThatThrownBy(() -> verifier.verifyToken(Tokens.hs256("shorT", claims("carol"))))
                .isInstanceOf(HandshakeRejection.class).hasMessage("token signature does not verify");
    }

    @Test
    void refusal_isA403() {
        JwtVerifier verifier = JwtVerifier.builder().hmacSecret("short").clock(CLOCK).build();

        assertThatThrownBy(() -> verifier.verifyToken(""))
                .isInstanceOfSatisfying(HandshakeRejection.class, e -> assertThat(e.status()).isEqualTo(403))
                .hasMessage("no token");
    }

    @Test
    void builder_validatesEachSetting() {
        assertThatThrownBy(() -> JwtVerifier.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessage("no key: call hmacSecret(...), publicKey(...) or jwk(...)");
        assertThatThrownBy(() -> JwtVerifier.builder().hmacSecret("x").hmacSecret("y"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the key is already set (HS256): set one of hmacSecret, publicKey, jwk");
        assertThatThrownBy(() -> JwtVerifier.builder().hmacSecret(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("hmacSecret must not be empty");
        assertThatThrownBy(() -> JwtVerifier.builder().clockSkew(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("clockSkew must be 0..10 minutes but was PT-1S");
        assertThatThrownBy(() -> JwtVerifier.builder().jwk("{}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("jwk is not a JSON Web Key: ");
        assertThatThrownBy(() -> JwtVerifier.builder().hmacSecret("x").queryParameter(null).bearerHeader(false).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no token location: queryParameter is null and bearerHeader is false");
        assertThat(JwtVerifier.builder().hmacSecret("x").build().toString()).contains("clockSkew=PT30S")
                .contains("queryParameter=access_token").contains("bearerHeader=true");
    }
}
