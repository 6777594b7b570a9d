"""The MNIST and Boston scripts of chapters 5-10 (AlexNet, VGGNet and VGG19: tests/test_vision.py,
tests/test_transfer.py) train one epoch on the bundled data, write every artifact and record the
run in state.json."""

import json

import pytest

from conftest import run_script

SCRIPTS = {
    "train_shallow_net.py": "shallow_net",
    "train_intermediate_net.py": "intermediate_net",
    "train_deep_net.py": "deep_net",
    "train_regression.py": "regression_net",
    "train_lenet.py": "lenet",
}
ARTIFACTS = ["model.keras", "history.csv", "metrics.json", "learning_curves.png",
             "checkpoints/last.keras", "checkpoints/best.keras", "state.json"]


@pytest.mark.parametrize("script_name, model", SCRIPTS.items())
def test_script_trains_one_epoch_and_writes_its_artifacts(tmp_path, script_name, model):
    output = tmp_path / model
    _, result = run_script(script_name, "--epochs", "1", "--data", "sample", "--output-dir", output, "--quiet")
    assert result is not None, "the last line must be RESULT {json}"
    assert result["model"] == model and result["epochs"] == 1
    assert result["data"] in ("sample", "full")  # Boston's bundled table is the whole dataset
    assert result["book"]["metric"] in ("val_accuracy", "val_loss")
    for artifact in ARTIFACTS:
        assert (output / artifact).is_file(), artifact
    assert any((output / "logs").rglob("*.tfevents*")), "TensorBoard logs"
    assert json.loads((output / "metrics.json").read_text()) == result
    assert not list(output.rglob(".*.tmp*")), "no temporary files left behind"
    # state.json: what defines the run, where it stands, the command, the versions and the time
    state = json.loads((output / "state.json").read_text())
    assert (state["model"], state["script"], state["finished"], state["segments"]) == (model, script_name, True, 1)
    assert {"data", "batch_size", "seed", "precision"} <= set(state["settings"])
    assert state["progress"]["epochs_done"] == 1 and state["wall_time_s"] > 0
    assert script_name in state["command"] and "--epochs 1" in state["command"]
    assert {"zoo", "python", "keras"} <= set(state["versions"])
