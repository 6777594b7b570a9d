"""``docs/book_reference.md``: the book's settings and figures of ``zoo.recipes`` as a table,
every recipe's chapter, builder, parameters, settings and the book's result.

    python -m zoo.book_reference                                  # print it
    python -m zoo.book_reference --write docs/book_reference.md   # regenerate the page
"""

from __future__ import annotations

from zoo.files import document_command
from zoo.recipes import RECIPES, AgentRecipe, Recipe, Reference

TABLE_PATH = "docs/book_reference.md"
REGENERATE = f"python -m zoo.book_reference --write {TABLE_PATH}"


def _number(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _learning_rate(config) -> str:
    if isinstance(config, dict):  # a schedule
        settings = ", ".join(f"{key}={_number(value)}" for key, value in config["config"].items()
                             if key != "name" and (key != "staircase" or value))
        return f"{config['class_name']}({settings})"
    return f"{config:.6g}"  # a float32 variable's value, printed as it was typed


def describe_optimizer(optimizer) -> str:
    """``RMSprop(learning_rate=..., clipvalue=1.0)``: an optimizer's class and the settings a recipe chose."""
    config = optimizer.get_config()
    settings = [f"learning_rate={_learning_rate(config['learning_rate'])}"]
    settings += [f"{key}={config[key]}" for key in ("clipvalue", "clipnorm") if config.get(key) is not None]
    return f"{type(optimizer).__name__}({', '.join(settings)})"


def _chapter(recipe) -> str:
    return "beyond the book" if recipe.chapter is None else str(recipe.chapter)


def _builder(name: str) -> str:
    import zoo

    return f"`zoo.{zoo.get(name).__name__}`"


def describe_parameters(recipe) -> str:
    """A recipe's parameter count (``1,199,882``), or counts by network, with the trainable ones
    where some are frozen."""
    counts = recipe.parameters
    if list(counts) == [recipe.model]:
        text = _number(counts[recipe.model])
    else:
        text = ", ".join(f"{name} {_number(count)}" for name, count in counts.items())
    trainable = getattr(recipe, "trainable_parameters", {})
    if trainable:
        text += " (" + ", ".join(_number(count) for count in trainable.values()) + " trainable)"
    return text


def _counted_by(recipe) -> str:
    return ", the zoo's count (the book prints none)" if recipe.counted_by == "zoo" else ""


def _judged(recipe) -> str:
    return f"{'highest' if recipe.mode == 'max' else 'lowest'} {recipe.monitor}"


def _result(reference: Reference) -> str:
    return f"no figure ({reference.metric})" if reference.value is None else f"{reference.metric} {_number(reference.value)}"


def _settings(options: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in options.items())


def _recipe_section(name: str, recipe: Recipe) -> list[str]:
    lines = [f"- Chapter: {_chapter(recipe)}",
             f"- Builder: {_builder(recipe.model)}"]
    if list(recipe.parameters) != [recipe.model]:
        lines += [f"  - {network}: {_builder(network)}" for network in recipe.parameters]
    metrics = ", ".join(recipe.metrics) or "none"
    lines += [f"- Parameters: {describe_parameters(recipe)}{_counted_by(recipe)}",
              f"- Compile: optimizer {describe_optimizer(recipe.optimizer())}, loss {recipe.loss}, metrics {metrics}",
              f"- Fit: {recipe.epochs} epochs, batch size {recipe.batch_size}; best epoch: {_judged(recipe)}"]
    if recipe.data:
        lines.append(f"- Data: {_settings(recipe.data)}")
    if recipe.notes:
        lines.append(f"- Notes: {recipe.notes}")
    return lines


def _agent_section(name: str, recipe: AgentRecipe) -> list[str]:
    lines = [f"- Chapter: {_chapter(recipe)}",
             f"- Builder: {_builder(recipe.model)}",
             f"- Parameters: {describe_parameters(recipe)} at the builder's defaults{_counted_by(recipe)}"]
    if recipe.frame_repeat is not None:
        height, width = recipe.resolution
        environment = (f"- Environment: ViZDoom {recipe.env}, each action held for {recipe.frame_repeat} frames, "
                       f"grey frames down-sampled to {height}x{width}")
    else:
        environment = f"- Environment: gymnasium {recipe.env}"
    if recipe.terminal_reward is not None:
        environment += f", reward {_number(recipe.terminal_reward)} on the terminal step"
    lines.append(environment)
    if recipe.presets:
        for preset, settings in recipe.presets.items():
            lines.append(f"- Preset {preset}: {_number(settings.episodes)} episodes, n_dense={settings.n_dense} "
                         f"({_number(settings.parameters)} parameters); agent {_settings(recipe.agent_options(preset))}; "
                         f"loop {_settings(settings.loop_settings())}")
    else:
        lines.append(f"- Agent: {_settings(recipe.agent_options())}")
    training = []
    if recipe.epochs is not None:
        training.append(f"{recipe.epochs} epochs of {_number(recipe.steps_per_epoch)} learning steps")
    if recipe.checkpoint_every is not None:
        training.append(f"weights saved every {recipe.checkpoint_every} episodes")
    if training:
        lines.append(f"- Training: {'; '.join(training)}")
    evaluation = []
    if recipe.eval_every is not None:
        evaluation.append(f"{recipe.check_episodes} greedy episodes every {recipe.eval_every} episodes keep the best "
                          f"weights, scored over {recipe.eval_episodes} episodes at the end")
    if recipe.test_episodes is not None:
        evaluation.append(f"{recipe.test_episodes} greedy episodes after every epoch")
    if recipe.target_score is not None:
        evaluation.append(f"target mean score {_number(recipe.target_score)}")
    evaluation.append(f"judged by {_judged(recipe)}")
    lines.append(f"- Evaluation: {'; '.join(evaluation)}")
    if recipe.notes:
        lines.append(f"- Notes: {recipe.notes}")
    return lines


def _batch_size(recipe) -> str:
    if isinstance(recipe, AgentRecipe) and recipe.presets:
        return " / ".join(f"{recipe.agent_options(preset)['batch_size']} ({preset})" for preset in recipe.presets)
    return _number(recipe.batch_size)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def reference_table() -> str:
    """``docs/book_reference.md``: every recipe's chapter, builder, parameters, settings and the book's result."""
    lines = [
        "# The book's settings and figures, per model",
        "",
        f"Generated from `zoo.recipes`; do not edit: change the recipes, then run `{REGENERATE}`.",
        "",
        "| Model | Chapter | Parameters | Epochs | Batch size | The book's result |",
        "|---|---|---|---|---|---|",
    ]
    for name, recipe in RECIPES.items():
        epochs = _number(recipe.epochs) if recipe.epochs is not None else (
            " / ".join(f"{_number(p.episodes)} episodes ({preset})" for preset, p in recipe.presets.items()))
        lines.append(f"| [`{name}`](#{name}) | {_chapter(recipe)} | {_cell(describe_parameters(recipe) + _counted_by(recipe))} "
                     f"| {epochs} "
                     f"| {_batch_size(recipe)} | {_cell(_result(recipe.reference))} |")
    for name, recipe in RECIPES.items():
        section = _agent_section if isinstance(recipe, AgentRecipe) else _recipe_section
        lines += ["", f"## {name}", "", *section(name, recipe)]
        reference = recipe.reference
        lines.append(f"- The book's result: {_result(reference)}" + (f": {reference.note}" if reference.note else ""))
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    document_command("python -m zoo.book_reference", "the recipes", reference_table, TABLE_PATH, argv)


if __name__ == "__main__":
    main()
