package io.lifeboat.events;

/** One Kafka topic per domain; the record key is the aggregate id so one aggregate's events stay ordered. */
public enum Topic {
    BACKUP("lifeboat.backup"),
    RESTORE("lifeboat.restore"),
    DRILL("lifeboat.drill"),
    INCIDENT("lifeboat.incident");

    /** Where consumers send messages they cannot parse. */
    public static final String DEAD_LETTER = "lifeboat.dead-letter";

    private final String topicName;

    Topic(String topicName) {
        this.topicName = topicName;
    }

    public String topicName() {
        return topicName;
    }
}
