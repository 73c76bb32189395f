package io.lifeboat.drill.run;

/** A drill step could not be carried out; the drill fails with this reason. */
public class DrillFailure extends Exception {
    public DrillFailure(String message) {
        super(message);
    }
}
