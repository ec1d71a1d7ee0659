"""What Knative Serving's admission refuses in a KServe predictor, as KServe's default (serverless)
mode hands its pod to Knative.

Knative lets through only the pod and container fields of its field masks
(github.com/knative/serving, pkg/apis/serving/fieldmask.go: PodSpecMask, ContainerMask,
SecurityContextMask, VolumeSourceMask) with its features at their defaults
(config/core/configmaps/features.yaml): `kubernetes.podspec-securitycontext` and
`kubernetes.podspec-topologyspreadconstraints` are disabled, so a pod-level securityContext or a
topology spread is refused ("must not set the field(s)"), while the container's securityContext
takes the user, group, non-root, read-only root, privilege escalation, capabilities and seccomp
settings. The rules are kept here since Knative is Go, not on PyPI.
"""

from __future__ import annotations

from typing import Any

import kubernetes.client.models

POD_FIELDS = {
    "serviceAccountName",
    "containers",
    "volumes",
    "imagePullSecrets",
    "enableServiceLinks",
    "automountServiceAccountToken",  # false only
}
CONTAINER_FIELDS = {
    "name",
    "args",
    "command",
    "env",
    "workingDir",
    "envFrom",
    "image",
    "imagePullPolicy",
    "livenessProbe",
    "ports",
    "readinessProbe",
    "resources",
    "securityContext",
    "startupProbe",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "volumeMounts",
}
SECURITY_CONTEXT_FIELDS = {
    "capabilities",
    "readOnlyRootFilesystem",
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "allowPrivilegeEscalation",
    "seccompProfile",
    "privileged",  # false only
}
VOLUME_SOURCES = {"secret", "configMap", "projected", "emptyDir"}
POD_SPEC = set(kubernetes.client.models.V1PodSpec.attribute_map.values())


def knative_refuses(predictor: dict[str, Any]) -> list[str]:
    """The predictor's pod fields that Knative's default admission refuses, each as its path;
    KServe's own fields (minReplicas, ...) are not the pod's and are left to KServe's checks."""
    found = [f"predictor.{key}" for key in predictor if key in POD_SPEC and key not in POD_FIELDS]
    if predictor.get("automountServiceAccountToken", False) is not False:
        found.append("predictor.automountServiceAccountToken")
    for i, container in enumerate(predictor.get("containers", [])):
        where = f"predictor.containers[{i}]"
        found += [f"{where}.{key}" for key in container if key not in CONTAINER_FIELDS]
        context = container.get("securityContext", {})
        found += [f"{where}.securityContext.{key}" for key in context if key not in SECURITY_CONTEXT_FIELDS]
        if context.get("privileged", False) is not False:
            found.append(f"{where}.securityContext.privileged")
    for i, volume in enumerate(predictor.get("volumes", [])):
        found += [f"predictor.volumes[{i}].{key}" for key in volume if key not in {"name", *VOLUME_SOURCES}]
    return found
