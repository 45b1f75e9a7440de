package com.permamind.gateway.simulator;

import java.util.Map;

/**
 * A signed message the simulated network took for the registry process.
 *
 * @param id            the data item's id
 * @param ownerAddress  the signer's wallet address
 * @param tags          the item's tags, in order (a later tag of the same name wins)
 * @param data          the item's data as text
 * @param arrivedAt     its timestamp as the scheduler would set it (the simulator's clock)
 * @param via           {@code hyperbeam} (push) or {@code mu}
 * @param downloadCount for a Record-Download the process applied, the version's count after it; else {@code null}
 */
public record ReceivedMessage(String id, String ownerAddress, Map<String, String> tags, String data, long arrivedAt,
                              String via, Integer downloadCount) {

    public String tag(String name) {
        return tags.get(name);
    }
}
