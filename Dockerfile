# Registry gateway image: build with Maven, run on a JRE as a non-root user.
#   docker build -t permamind/registry-gateway .
# Written for the classic builder too (no BuildKit-only syntax), so docker-compose 1.29 builds it.

# --- build: the runtime classpath = target/classes + the runtime-scope dependency jars ---
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /build
# Dependencies first, in their own layer: it is rebuilt only when pom.xml changes.
COPY pom.xml ./
RUN mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib
# compile stops before the test phases, so src/test, src/dev (the simulator, test-scoped Kafka)
# and src/deploy (the Lua module deploy tool) are neither compiled nor shipped; process-resources
# copies lua/ into the classes.
COPY lua ./lua
COPY src/main ./src/main
# the classes as one jar: a class-data archive (below) only holds classes that come from jars
RUN mvn -B -q compile && jar --create --file target/gateway.jar -C target/classes .

# --- runtime ---
FROM eclipse-temurin:25-jre-noble
# curl (in the Temurin image) serves the health check; nothing else is added to the base.
RUN groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid gateway --no-create-home --home-dir /app --shell /usr/sbin/nologin gateway
WORKDIR /app
COPY --from=build /build/target/lib ./lib
COPY --from=build /build/target/gateway.jar ./gateway.jar
# The launcher and the JVM options it starts the gateway with (bench/run starts it the same way).
COPY ops/jvm/gateway.options ./gateway.options
COPY ops/jvm/gateway ./bin/gateway
# Application Class-Data Sharing: a training run (the gateway against upstreams that are not there,
# a few requests, a normal stop) writes the classes it loaded to /app/gateway.jsa; every start then
# maps them instead of reading, parsing and verifying them from the jars again (README.md,
# "Deployment"). A dynamic archive sits on the JDK's own, which the JDK image normally has.
RUN chmod 0755 bin/gateway \
 && { [ -f "$JAVA_HOME/lib/server/classes.jsa" ] || java -Xshare:dump >/dev/null; } \
 && CDS_TRAINING_LOG=/tmp/cds-training.log bin/gateway --create-cds-archive \
 && rm -f /tmp/cds-training.log
USER 10001:10001

# 8080: the public API; 9876: management (/observe/health, /observe/metrics).
EXPOSE 8080 9876
# JVM options: gateway.options (fixed heap and native bounds, not a share of the container's
# memory); GATEWAY_JAVA_OPTIONS adds to them or overrides them.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9876/observe/health/ready || exit 1
# exec's java: the JVM is PID 1 and gets the SIGTERM of `docker stop`, so Camel shuts down gracefully
ENTRYPOINT ["/app/bin/gateway"]
