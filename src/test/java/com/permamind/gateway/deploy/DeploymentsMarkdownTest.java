package com.permamind.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.permamind.gateway.arweave.Deployment;
import com.permamind.gateway.arweave.DeploymentLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentsMarkdownTest {

    private static final Path REAL_LOG = Path.of("lua/deployments.json");

    @TempDir
    Path dir;

    @Test
    void should_keep_deployments_md_in_step_with_the_log() throws Exception {
        assertEquals(DeploymentsMarkdown.render(DeploymentLog.read(REAL_LOG)),
            Files.readString(REAL_LOG.resolveSibling(DeploymentsMarkdown.FILE_NAME)));
    }

    @Test
    void should_show_node_urls_for_every_function() {
        String markdown = DeploymentsMarkdown.render(DeploymentLog.read(dir.resolve("none.json"))
            .append(deployment("MOD", "2025-11-20T10:00:30Z")));

        String prefix = "https://hb.randao.net/afj-S1wpWK07iSs9jIttoPJsptf4Db6ubZ_CLODdEpQ~process@1.0/now/"
            + "~lua@5.3a&module=MOD/";
        for (String call : List.of("info/serialize~json@1.0`", "search-skills/serialize~json@1.0?q=ao&limit=5`",
                "list-skills/serialize~json@1.0?limit=5&offset=0`", "get-skill/serialize~json@1.0?name=bundler`",
                "get-skill-versions/serialize~json@1.0?name=bundler`",
                "get-download-stats/serialize~json@1.0?name=bundler&timerange=7&now=1763632800000`",
                "get-download-stats/serialize~json@1.0?scope=all&timerange=all&now=1763632800000`",
                "record-download/serialize~json@1.0?name=bundler`")) {
            assertTrue(markdown.contains(prefix + call), call + " in\n" + markdown);
        }
        assertTrue(markdown.contains("- source: https://arweave.net/raw/MOD\n"), markdown);
    }

    private static Deployment deployment(String id, String date) {
        return new Deployment(id, date, "permamind-registry", "1", "ab".repeat(32), 100, "http://bundler", "owner");
    }
}
