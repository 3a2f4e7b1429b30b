"""Optuna's own fANOVA over trials given as JSON, for Piximi.Sweep's cross-check (Reports.Tests, FanovaAgainstOptuna).

Reads {"seeds", "parameters": [{"name", "kind": categorical|float|int, "choices" | "low", "high", "log"}],
"trials": [{"params": {name: value}, "value"}]} from the file named by argv[1], builds a study of those trials with
create_trial + add_trial and those distributions, runs get_param_importances with FanovaImportanceEvaluator(seed=s) for
each seed, and prints {"optuna", "sklearn", "per_seed": [{name: importance}, ...], "importances": [[name, mean], ...]},
the means over the seeds most important first.
Run with Debian's /usr/bin/python3 (python3-optuna 3.1, python3-sklearn 1.2).
"""
import json
import sys

import optuna
import sklearn
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.importance import FanovaImportanceEvaluator


def distribution(p):
    if p["kind"] == "categorical":
        return CategoricalDistribution(p["choices"])
    if p["kind"] == "float":
        return FloatDistribution(p["low"], p["high"], log=p["log"])
    return IntDistribution(int(p["low"]), int(p["high"]))


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        given = json.load(f)
    distributions = {p["name"]: distribution(p) for p in given["parameters"]}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize")
    for t in given["trials"]:
        study.add_trial(optuna.trial.create_trial(params=t["params"], distributions=distributions, value=t["value"]))
    per_seed = [optuna.importance.get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=seed))
                for seed in given["seeds"]]
    means = {name: sum(float(i[name]) for i in per_seed) / len(per_seed) for name in distributions}
    print(json.dumps({"optuna": optuna.__version__, "sklearn": sklearn.__version__,
                      "per_seed": [{k: float(v) for k, v in i.items()} for i in per_seed],
                      "importances": sorted(([k, v] for k, v in means.items()), key=lambda kv: -kv[1])}))


if __name__ == "__main__":
    main()
