package io.lifeboat.incident.incident;

public enum Severity {
    SEV1, SEV2, SEV3
}
