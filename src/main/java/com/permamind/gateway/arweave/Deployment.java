package com.permamind.gateway.arweave;


/**
 * One publication of the Lua module, as lua/deployments.json records it.
 *
 * @param id            the data item id: what goes into {@code module=} on a node
 * @param date          when it was uploaded, ISO-8601 UTC
 * @param moduleName    the {@code Module-Name} tag
 * @param moduleVersion the {@code Module-Version} tag
 * @param moduleSha256  hex SHA-256 of the module bytes (the {@code Module-Sha256} tag)
 * @param size          the module's size in bytes
 * @param bundler       the bundler's upload URL
 * @param owner         the signing wallet's address
 */
public record Deployment(String id, String date, String moduleName, String moduleVersion, String moduleSha256,
        long size, String bundler, String owner) {
}
