// The node port a container port takes, read one way by Pod Security and the exposure view.

/**
 * A container port's hostPort as the API server stores it. With host networking an unset or 0
 * hostPort is its containerPort (SetDefaults_Pod -> defaultHostNetworkPorts, pkg/apis/core/v1/defaults.go,
 * for containers and init containers; the pod-v1 API reference: "If HostNetwork is specified, this
 * must match ContainerPort"), so a manifest that omits it, or writes 0, still binds the port on
 * the node (a workload's template is not defaulted so since v1.28; the pods it makes are).
 * Malformed values are returned as given for the caller to judge.
 */
export function hostPortOf(port: Record<string, unknown>, hostNetwork: boolean): unknown {
  const unset = port.hostPort === undefined || port.hostPort === null || port.hostPort === 0;
  return hostNetwork && unset && port.containerPort !== undefined && port.containerPort !== null ? port.containerPort : port.hostPort;
}
