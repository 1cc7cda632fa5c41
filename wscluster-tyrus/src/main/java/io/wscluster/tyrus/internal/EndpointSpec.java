package io.wscluster.tyrus.internal;

import jakarta.websocket.Endpoint;

import java.util.Set;
import java.util.function.Supplier;

/**
 * One deployed endpoint as the wrapper sees it.
 *
 * @param path          the path template
 * @param clustered     whether sessions are registered in the cluster
 * @param roomPathParam path parameter naming a room to join, or empty
 * @param rooms         rooms every session joins (valid names)
 * @param delegate      supplies the application's endpoint for a new session
 */
record EndpointSpec(String path, boolean clustered, String roomPathParam, Set<String> rooms,
                    Supplier<Endpoint> delegate) {
}
