"""The objects a kustomization makes, as `kubectl apply -k` sends them to the cluster.

`kubectl kustomize` renders them where kubectl is installed; `kustomized` reads them without it,
applying the two transformers the generated kustomizations use as kustomize applies them:
`labels:` (on every object; with includeTemplates on its pod template too; never on a selector
here, where includeSelectors is refused) and `images:` (each container whose image is the
entry's name gets newName:newTag). The template's tests hold the two equal where kubectl is.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

KUBECTL = shutil.which("kubectl")


def kubectl_kustomize(folder: Path) -> list[dict[str, Any]]:
    assert KUBECTL, "no kubectl on this machine"
    done = subprocess.run([KUBECTL, "kustomize", str(folder)], capture_output=True, text=True, check=True)
    return [item for item in yaml.safe_load_all(done.stdout) if item]


def containers(value: Any) -> list[dict[str, Any]]:
    """Every container of an object, wherever its kind keeps them (kustomize looks everywhere)."""
    if isinstance(value, list):
        return [found for item in value for found in containers(item)]
    if not isinstance(value, dict):
        return []
    found = [item for key in ("containers", "initContainers") for item in value.get(key, [])]
    return found + [inner for key, item in value.items() for inner in containers(item)]


def kustomized(folder: Path) -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    objects = [yaml.safe_load((folder / name).read_text()) for name in kustomization["resources"]]
    for entry in kustomization.get("labels", []):
        assert not entry.get("includeSelectors"), "a selector cannot change once the object exists"
        for manifest in objects:
            manifest["metadata"].setdefault("labels", {}).update(entry["pairs"])
            template = manifest.get("spec", {}).get("template")
            if entry.get("includeTemplates") and template:
                template["metadata"].setdefault("labels", {}).update(entry["pairs"])
    for entry in kustomization.get("images", []):
        for container in containers(objects):
            if container["image"] == entry["name"]:
                container["image"] = f"{entry.get('newName', entry['name'])}:{entry['newTag']}"
    return objects
