# Registry gateway image: build with Maven, run on a JRE as a non-root user.
#   docker build -t permamind/registry-gateway .
# Written for the classic builder too (no BuildKit-only syntax), so docker-compose 1.29 builds it.

# --- build: the runtime classpath = target/classes + the runtime-scope dependency jars ---
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first, in their own layer: it is rebuilt only when pom.xml changes.
COPY pom.xml ./
RUN mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib
# compile stops before the test phases, so src/test and src/dev (the simulator, test-scoped
# Kafka) are neither compiled nor shipped; process-resources copies lua/ into the classes.
COPY lua ./lua
COPY src/main ./src/main
RUN mvn -B -q compile

# --- runtime ---
FROM eclipse-temurin:17-jre-noble
# curl (in the Temurin image) serves the health check; nothing else is added to the base.
RUN groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid gateway --no-create-home --home-dir /app --shell /usr/sbin/nologin gateway
WORKDIR /app
COPY --from=build /build/target/lib ./lib
COPY --from=build /build/target/classes ./classes
USER 10001:10001

# 8080: the public API; 9876: management (/observe/health, /observe/metrics).
EXPOSE 8080 9876
# Heap from the container's memory limit; extra JVM flags go in JDK_JAVA_OPTIONS, which the java
# launcher reads itself.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9876/observe/health/ready || exit 1
ENTRYPOINT ["java", "-cp", "/app/classes:/app/lib/*", "com.permamind.gateway.GatewayApplication"]
