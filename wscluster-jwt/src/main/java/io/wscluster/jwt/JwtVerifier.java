package io.wscluster.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.wscluster.tyrus.HandshakeRejection;
import io.wscluster.tyrus.IdentityVerifier;
import jakarta.websocket.server.HandshakeRequest;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Verifies a JSON Web Token carried by a WebSocket handshake and makes its subject the session's user.
 * Build one with {@link #builder()} and give it to {@code WsServerBuilder.identityVerifier(...)}:
 *
 * <pre>{@code
 * JwtVerifier verifier = JwtVerifier.builder()
 *         .hmacSecret(secret)            // HS256; or publicKey(...) / jwk(...) for RS256 and ES256
 *         .audience("chat")              // the aud claim must contain it
 *         .userParameter("user")         // ?user=, if a client sends it, must equal sub
 *         .build();
 * WsServer.builder().identityVerifier(verifier);
 * }</pre>
 *
 * <p>Design notes. A handshake passes only if all of these hold, checked in this order, each failure a
 * 403 before any upgrade: exactly one token is found (the {@value #DEFAULT_QUERY_PARAMETER} query
 * parameter, or {@code Authorization: Bearer}; both present must agree); it parses as a signed JWT; its
 * header names the one algorithm the key is for (HS256 for a secret, RS256 for an RSA key, ES256 for a
 * P-256 key), so a token cannot choose a weaker check ({@code alg: none} or HS256 signed with a public
 * key); the signature verifies (nimbus-jose-jwt); it has a {@code sub} and an {@code exp}; now is before
 * {@code exp} plus the clock skew ({@code exp} at or before now, beyond the skew, is expired); now plus the
 * skew is not before {@code nbf}; {@code aud} contains the configured audience; and the user parameter, if
 * the request has one, equals {@code sub}. The time comes from an injected {@link Clock}, so the edges are
 * tested by moving time. The reasons are logged at debug by the server, never sent to the client.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class JwtVerifier implements IdentityVerifier {

    /** Default tolerated difference between the token issuer's clock and this node's: 30 seconds. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /** Default query parameter that carries the token (browsers cannot set headers on a WebSocket). */
    public static final String DEFAULT_QUERY_PARAMETER = "access_token";

    private final JWSVerifier signature;
    private final JWSAlgorithm algorithm;
    private final String audience;
    private final Duration clockSkew;
    private final Clock clock;
    private final String queryParameter;
    private final boolean bearerHeader;
    private final String userParameter;

    JwtVerifier(JwtVerifierBuilder b, JWSVerifier signature, JWSAlgorithm algorithm) {
        this.signature = signature;
        this.algorithm = algorithm;
        this.audience = b.audience;
        this.clockSkew = b.clockSkew;
        this.clock = b.clock;
        this.queryParameter = b.queryParameter;
        this.bearerHeader = b.bearerHeader;
        this.userParameter = b.userParameter;
    }

    /** @return a builder; set one key ({@code hmacSecret}, {@code publicKey} or {@code jwk}) */
    public static JwtVerifierBuilder builder() {
        return new JwtVerifierBuilder();
    }

    /**
     * Finds the handshake's token, verifies it and returns its subject.
     *
     * @param request the handshake
     * @return the verified {@code sub}
     * @throws HandshakeRejection 403 if the token is missing, malformed, wrongly signed, expired, not yet
     *                            valid or for another audience, or the user parameter differs from {@code sub}
     */
    @Override
    public String verify(HandshakeRequest request) {
        String subject = verifyToken(token(request));
        if (userParameter != null) {
            List<String> users = request.getParameterMap().get(userParameter);
            if (users != null && !users.isEmpty() && (users.size() > 1 || !subject.equals(users.get(0)))) {
                throw HandshakeRejection.forbidden("query parameter '" + userParameter + "' differs from the token's sub");
            }
        }
        return subject;
    }

    /**
     * Verifies a token found elsewhere, with the same checks as a handshake's.
     *
     * @param token the compact serialized JWT
     * @return the verified {@code sub}
     * @throws HandshakeRejection 403 naming what failed (for logs, not for clients)
     */
    public String verifyToken(String token) {
        if (token == null || token.isEmpty()) {
            throw HandshakeRejection.forbidden("no token");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | IllegalArgumentException e) {
            throw HandshakeRejection.forbidden("malformed token: " + e.getMessage());
        }
        if (!algorithm.equals(jwt.getHeader().getAlgorithm())) {
            throw HandshakeRejection.forbidden("token algorithm " + jwt.getHeader().getAlgorithm() + " is not " + algorithm);
        }
        try {
            if (!jwt.verify(signature)) {
                throw HandshakeRejection.forbidden("token signature does not verify");
            }
        } catch (JOSEException e) {
            throw HandshakeRejection.forbidden("token signature cannot be verified: " + e.getMessage());
        }
        return checkClaims(claims);
    }

    private String checkClaims(JWTClaimsSet claims) {
        String subject = claims.getSubject();
        if (subject == null || subject.isEmpty()) {
            throw HandshakeRejection.forbidden("token has no sub");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw HandshakeRejection.forbidden("token has no exp");
        }
        if (!now.isBefore(exp.toInstant().plus(clockSkew))) {
            throw HandshakeRejection.forbidden("token expired at " + exp.toInstant() + " (now " + now + ", skew " + clockSkew + ")");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant())) {
            throw HandshakeRejection.forbidden("token not valid before " + nbf.toInstant() + " (now " + now + ", skew " + clockSkew + ")");
        }
        if (audience != null) {
            List<String> aud = claims.getAudience();
            if (aud == null || !aud.contains(audience)) {
                throw HandshakeRejection.forbidden("token audience " + aud + " does not contain '" + audience + "'");
            }
        }
        return subject;
    }

    private String token(HandshakeRequest request) {
        String fromQuery = null;
        if (queryParameter != null) {
            List<String> values = request.getParameterMap().get(queryParameter);
            if (values != null && values.size() > 1) {
                throw HandshakeRejection.forbidden("query parameter '" + queryParameter + "' is repeated");
            }
            fromQuery = values == null || values.isEmpty() ? null : values.get(0);
        }
        String fromHeader = bearerHeader ? bearer(request.getHeaders()) : null;
        if (fromQuery != null && fromHeader != null && !fromQuery.equals(fromHeader)) {
            throw HandshakeRejection.forbidden("the query parameter and the Authorization header carry different tokens");
        }
        String token = fromHeader != null ? fromHeader : fromQuery;
        if (token == null) {
            throw HandshakeRejection.forbidden("no token");
        }
        return token;
    }

    private static String bearer(Map<String, List<String>> headers) {
        String found = null;
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() == null || !e.getKey().equalsIgnoreCase("Authorization") || e.getValue() == null) {
                continue;
            }
            for (String value : e.getValue()) {
                String v = value.trim();
                if (!v.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
                    continue; // another scheme: not ours
                }
                if (found != null) {
                    throw HandshakeRejection.forbidden("more than one Authorization: Bearer header");
                }
                found = v.substring("bearer ".length()).trim();
            }
        }
        return found;
    }

    /** @return the algorithm tokens must be signed with */
    public String algorithm() {
        return algorithm.getName();
    }

    @Override
    public String toString() {
        return "JwtVerifier{algorithm=" + algorithm + ", audience=" + (audience == null ? "any" : audience)
                + ", clockSkew=" + clockSkew + ", queryParameter=" + queryParameter + ", bearerHeader=" + bearerHeader
                + ", userParameter=" + userParameter + '}';
    }
}
