package com.permamind.gateway.simulator;

import static com.permamind.gateway.simulator.SimulatorTestSupport.send;
import static com.permamind.gateway.simulator.SimulatorTestSupport.MAPPER;
import static com.permamind.gateway.simulator.SimulatorTestSupport.fixtureConfig;
import static com.permamind.gateway.simulator.SimulatorTestSupport.get;
import static com.permamind.gateway.simulator.SimulatorTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.permamind.gateway.ans104.Base64Url;
import com.permamind.gateway.ans104.DataItem;
import com.permamind.gateway.ans104.Tag;
import com.permamind.gateway.ans104.TestWallets;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry process's writes in the simulator: signed Record-Download messages through a
 * HyperBEAM node's push and through a messenger unit, checked as the network checks them, applied to
 * the live state a dryrun reads, and not to what the node serves until the process patches (contract
 * §4, §6; issue 24).
 */
class ProcessWritesTest {

    private static RegistrySimulator simulator;

    @BeforeAll
    static void start() {
        simulator = new RegistrySimulator(fixtureConfig().build()).start();
    }

    @AfterAll
    static void stop() {
        simulator.stop();
    }

    @Test
    void a_download_pushed_to_the_node_is_seen_by_dryrun_at_once_and_by_the_node_only_after_the_next_patch() {
        int before = dryrunCount("cron", "1.2.1");
        int servedBefore = nodeCount("cron", "1.2.1");

        HttpResponse<String> answer = push(recordDownload("cron", "1.2.1", "ao.N.1"));

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(before + 1, dryrunCount("cron", "1.2.1"), "dryrun reads the live state");
        assertEquals(servedBefore, nodeCount("cron", "1.2.1"), "no patch on Record-Download");

        ObjectNode record = MAPPER.createObjectNode().put("name", "written-after-a-download").put("version", "1.0.0")
                .put("description", "registered to make the process patch").put("author", "tests");
        simulator.registerSkill(record);

        assertEquals(before + 1, nodeCount("cron", "1.2.1"), "the patch after Register-Skill carries the download");
        assertEquals(0, nodeCount("written-after-a-download", "1.0.0"));
    }

    @Test
    void a_messenger_unit_takes_a_message_once_and_refuses_the_same_id_again() {
        byte[] item = recordDownload("bundler", "1.0.5", "ao.TN.1");
        int before = dryrunCount("bundler", "1.0.5");

        HttpResponse<String> first = toMessengerUnit(item);
        HttpResponse<String> again = toMessengerUnit(item);

        assertEquals(202, first.statusCode(), first.body());
        assertEquals(DataItem.parse(item).id(), json(first).path("id").asText());
        assertEquals(409, again.statusCode(), again.body());
        assertTrue(json(again).path("error").asText().contains("already exists"), again.body());
        assertEquals(before + 1, dryrunCount("bundler", "1.0.5"), "a repeated id counts once");
    }

    @Test
    void a_download_of_an_unknown_skill_or_version_is_taken_and_changes_nothing() {
        int before = dryrunCount("cron", null);

        HttpResponse<String> unknownSkill = push(recordDownload("no-such-skill", null, "ao.N.1"));
        HttpResponse<String> unknownVersion = push(recordDownload("cron", "9.9.9", "ao.N.1"));

        assertEquals(200, unknownSkill.statusCode());
        assertEquals(200, unknownVersion.statusCode());
        assertEquals(before, dryrunCount("cron", null));
        assertNull(lastMessage().downloadCount(), "no reply, nothing recorded");
    }

    @Test
    void items_the_network_would_refuse_are_refused_and_change_nothing() {
        int before = dryrunCount("cron", "1.2.1");
        byte[] tampered = recordDownload("cron", "1.2.1", "ao.N.1");
        tampered[tampered.length - 3] ^= 1;
        byte[] elsewhere = item(Base64Url.decode("x".repeat(43)), tags("cron", "1.2.1", "ao.N.1"));
        byte[] wrongVariant = recordDownload("cron", "1.2.1", "ao.TN.1");

        assertEquals(400, push(tampered).statusCode());
        assertEquals(400, push(elsewhere).statusCode());
        assertEquals(400, push(wrongVariant).statusCode());
        assertEquals(400, push("not a data item".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals(422, send(pushRequest(recordDownload("cron", "1.2.1", "ao.N.1"))
                .header("Content-Type", "application/json").build()).statusCode(), "another format than ANS-104");
        assertEquals(before, dryrunCount("cron", "1.2.1"));
    }

    @Test
    void the_admin_endpoint_registers_and_updates_skills_and_an_update_resets_downloads() {
        String admin = simulator.hyperbeamUrl() + "/__admin/skills/";
        String record = "{\"name\":\"written-by-admin\",\"version\":\"1.0.0\",\"description\":\"d\",\"author\":\"a\"}";
        assertEquals(204, SimulatorTestSupport.post(admin + "register", record).statusCode());
        push(recordDownload("written-by-admin", "1.0.0", "ao.N.1"));
        assertEquals(1, dryrunCount("written-by-admin", "1.0.0"));

        assertEquals(204, SimulatorTestSupport.post(admin + "update", record).statusCode());

        assertEquals(0, dryrunCount("written-by-admin", "1.0.0"), "an update of a version resets its downloads");
        assertEquals(0, nodeCount("written-by-admin", "1.0.0"));
        assertEquals(400, SimulatorTestSupport.post(admin + "register", record).statusCode(), "registered already");
        assertEquals(400, SimulatorTestSupport.post(admin + "update",
                record.replace("1.0.0", "2.0.0")).statusCode(), "not registered");
    }

    private static ReceivedMessage lastMessage() {
        List<ReceivedMessage> messages = simulator.messages();
        return messages.get(messages.size() - 1);
    }

    private static int dryrunCount(String name, String version) {
        return new DryRunClient(simulator).downloadCount(name, version);
    }

    private static int nodeCount(String name, String version) {
        HttpResponse<String> answer = get(simulator.hyperbeamUrl() + "/" + simulator.processId()
                + "~process@1.0/compute/~lua@5.3a&module=" + simulator.moduleId()
                + "/get-skill/serialize~json@1.0?name=" + name + "&version=" + version);
        JsonNode body = json(answer);
        assertTrue(body.path("ok").asBoolean(), answer.body());
        return body.path("data").path("downloadCount").asInt();
    }

    private static byte[] recordDownload(String name, String version, String variant) {
        return item(Base64Url.decode(simulator.processId()), tags(name, version, variant));
    }

    private static List<Tag> tags(String name, String version, String variant) {
        List<Tag> tags = new ArrayList<>(List.of(new Tag("Data-Protocol", "ao"), new Tag("Variant", variant),
                new Tag("Type", "Message"), new Tag("Action", "Record-Download"), new Tag("Name", name)));
        if (version != null) {
            tags.add(new Tag("Version", version));
        }
        return tags;
    }

    private static byte[] item(byte[] target, List<Tag> tags) {
        return DataItem.signRepeatably(TestWallets.wallet(), target, tags, new byte[0], UUID.randomUUID().toString())
                .toBytes();
    }

    private static HttpResponse<String> push(byte[] item) {
        return send(pushRequest(item).header("Content-Type", "application/ans104").build());
    }

    private static HttpRequest.Builder pushRequest(byte[] item) {
        return HttpRequest.newBuilder(URI.create(simulator.hyperbeamUrl() + "/" + simulator.processId()
                        + "~process@1.0/push"))
                .header("codec-device", "ans104@1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(item));
    }

    private static HttpResponse<String> toMessengerUnit(byte[] item) {
        return send(HttpRequest.newBuilder(URI.create(simulator.muUrl() + "/"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(item)).build());
    }
}
