{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "ztaudit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: release-chart, unless the release name already contains the chart name. */}}
{{- define "ztaudit.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ztaudit.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ztaudit.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ztaudit.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ztaudit.labels" -}}
helm.sh/chart: {{ include "ztaudit.chart" . }}
{{ include "ztaudit.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: auditor
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "ztaudit.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ztaudit.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ztaudit.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
The k8s history store's namespace: its own, never the release namespace, where the store's
write access (not narrowable by name: one object per run) would reach the auditor's config.
*/}}
{{- define "ztaudit.historyNamespace" -}}
{{- $ns := default (printf "%s-history" .Release.Namespace | trunc 63 | trimSuffix "-") .Values.history.k8s.namespace }}
{{- if eq $ns .Release.Namespace }}
{{- fail (printf "history.k8s.namespace must not be the release namespace (%s): the history store's Role may update and delete every ConfigMap of its namespace, and there that includes the auditor's own config and waivers; leave it empty for %s-history or name another namespace" $ns .Release.Namespace) }}
{{- end }}
{{- $ns }}
{{- end }}

{{/* The --history argument: a SQLite file on the volume, the Kubernetes-native store, or none. */}}
{{- define "ztaudit.historyArg" -}}
{{- if eq .Values.history.type "sqlite" }}
{{- printf "%s/%s" .Values.history.sqlite.mountPath .Values.history.sqlite.fileName }}
{{- else if eq .Values.history.type "k8s" }}
{{- printf "k8s://%s/%s" (include "ztaudit.historyNamespace" .) (default (printf "%s-history" (include "ztaudit.fullname" .)) .Values.history.k8s.name) }}
{{- else }}
{{- "none" }}
{{- end }}
{{- end }}

{{/*
The API server's addresses for the NetworkPolicy, as a JSON list: networkPolicy.apiServer.cidrs,
else the endpoints of the default/kubernetes EndpointSlice, looked up at install and upgrade
time (a policy sees the traffic after the Service IP is translated). Never the whole Internet:
without a cluster to look in (helm template, helm lint, a client-side dry run, Argo CD) and
without the value, rendering fails.
*/}}
{{- define "ztaudit.apiServerCidrs" -}}
{{- $cidrs := .Values.networkPolicy.apiServer.cidrs }}
{{- if not $cidrs }}
{{- $slice := lookup "discovery.k8s.io/v1" "EndpointSlice" "default" "kubernetes" }}
{{- range (dig "endpoints" list $slice) }}
{{- range (dig "addresses" list .) }}
{{- $cidrs = append $cidrs (printf "%s/%s" . (ternary "128" "32" (contains ":" .))) }}
{{- end }}
{{- end }}
{{- end }}
{{- if not $cidrs }}
{{- fail "networkPolicy.apiServer.cidrs is empty and the API server's addresses could not be looked up (helm template, helm lint and a client-side dry run have no cluster; helm template --dry-run=server has one). Set them: kubectl get endpointslice kubernetes -n default -o jsonpath='{.endpoints[*].addresses[*]}' lists them; pass each as ADDRESS/32, e.g. --set 'networkPolicy.apiServer.cidrs={10.0.0.10/32}'" }}
{{- end }}
{{- toJson $cidrs }}
{{- end }}

{{/*
The API server's ports, as a JSON list of numbers: networkPolicy.apiServer.ports, plus, when
the addresses are looked up (networkPolicy.apiServer.cidrs empty), the port of the
default/kubernetes EndpointSlice: the port the API server itself listens on, which a policy
sees after the Service's 443 is translated (8443 on minikube, 16443 on MicroK8s).
*/}}
{{- define "ztaudit.apiServerPorts" -}}
{{- $ports := list }}
{{- range .Values.networkPolicy.apiServer.ports }}
{{- if not (has (int .) $ports) }}{{ $ports = append $ports (int .) }}{{ end }}
{{- end }}
{{- if not .Values.networkPolicy.apiServer.cidrs }}
{{- $slice := lookup "discovery.k8s.io/v1" "EndpointSlice" "default" "kubernetes" }}
{{- range (dig "ports" list $slice) }}
{{- $port := int (dig "port" 0 .) }}
{{- if and (gt $port 0) (not (has $port $ports)) }}{{ $ports = append $ports $port }}{{ end }}
{{- end }}
{{- end }}
{{- toJson $ports }}
{{- end }}

{{/*
"true" when the chart also renders the CiliumNetworkPolicy to the kube-apiserver entity:
networkPolicy.apiServer.cilium true, or auto on a cluster that serves cilium.io/v2.
*/}}
{{- define "ztaudit.ciliumApiServer" -}}
{{- $np := .Values.networkPolicy }}
{{- $c := toString $np.apiServer.cilium }}
{{- if and $np.enabled (or (eq $c "true") (and (eq $c "auto") (.Capabilities.APIVersions.Has "cilium.io/v2/CiliumNetworkPolicy"))) }}true{{ end }}
{{- end }}

{{- define "ztaudit.notifyEnabled" -}}
{{- if or .Values.notifications.slack.enabled .Values.notifications.email.enabled }}true{{ end }}
{{- end }}

{{/*
The Job's deadline (activeDeadlineSeconds): Kubernetes terminates the pod when it passes
(https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup), so
it must leave a run whose collection used its whole deadline the time for what comes after: the
TLS probes, the audit, the reports and the history store, the notifications. Each deadline is
read from values.config with ztaudit's own default (src/config/types.ts defaultConfig), bounded
as src/config/schema.ts bounds it; cronjob.activeDeadlineSeconds empty derives the Job's from
them, a value too small fails. The collection ends at collect.deadlineSeconds, the requests in
flight then included (src/collect/live.ts), so no request timeout or retry budget adds to it.
*/}}
{{- define "ztaudit.jobDeadlineSeconds" -}}
{{- $c := default (dict) .Values.config }}
{{- $collect := int (dig "collect" "deadlineSeconds" 1800 $c) }}
{{- $need := add $collect 300 }}
{{- $parts := list (printf "config.collect.deadlineSeconds %d" $collect) }}
{{- /* --probe-tls given through run.extraArgs probes as run.probeTls does (src/cli/run.ts). */}}
{{- if or .Values.run.probeTls (dig "tls" "probe" "enabled" false $c) (has "--probe-tls" .Values.run.extraArgs) }}
{{- $probe := int (dig "tls" "probe" "deadlineSeconds" 300 $c) }}
{{- $need = add $need $probe }}
{{- $parts = append $parts (printf "config.tls.probe.deadlineSeconds %d" $probe) }}
{{- end }}
{{- if include "ztaudit.notifyEnabled" . }}
{{- /* The channels are sent to at once, each within notify.deadlineSeconds. */}}
{{- $notify := int (dig "notify" "deadlineSeconds" 60 $c) }}
{{- $need = add $need $notify }}
{{- $parts = append $parts (printf "config.notify.deadlineSeconds %d" $notify) }}
{{- end }}
{{- if eq .Values.history.type "postgres" }}
{{- /* A PostgreSQL store (src/history/postgres.ts): a statement is waited for at most 300 s
(node-postgres's query_timeout, PG_QUERY_TIMEOUT_MS; the server cancels it at 290 s, the
statement_timeout ztaudit's sessions set, a lock wait included:
https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT); a
lost connection is retried for config.history.retrySeconds (0-3600, default 60), its last
attempt taking up to the URL's connect_timeout (10 s unless the URL in the Secret, which the
chart cannot read, raises it). A statement cancelled, or a retry loop run out, fails the run,
which then alerts: one of each is covered. */}}
{{- $retry := int (dig "history" "retrySeconds" 60 $c) }}
{{- $need = add $need 300 $retry 10 }}
{{- $parts = append $parts (printf "300 s for a PostgreSQL statement + config.history.retrySeconds %d + 10 s to connect" $retry) }}
{{- end }}
{{- /* 300 s for the audit, the reports and the history store: a whole offline run of 150,000 pods (what resources.limits holds) took 17.56-20.99 s (docs/performance.md, L). */}}
{{- $parts = append $parts "300 s to audit, write the reports and store the run" }}
{{- $given := .Values.cronjob.activeDeadlineSeconds }}
{{- if eq (toString $given) "" }}
{{- $need }}
{{- else if lt (int $given) $need }}
{{- fail (printf "cronjob.activeDeadlineSeconds %d is shorter than a run may take (%d s: %s): Kubernetes would end a run that used its collection deadline before it stores, reports or alerts; raise it, leave it empty to derive it, or lower those deadlines in config" (int $given) $need (join " + " $parts)) }}
{{- else }}
{{- int $given }}
{{- end }}
{{- end }}

{{/*
tls.probe.caFile when run.probeCaBundle names a ConfigMap: the key's file where the volume is
mounted; empty otherwise. A mount path another of the pod's volumes uses would hide one of them.
*/}}
{{- define "ztaudit.probeCaFile" -}}
{{- $b := .Values.run.probeCaBundle }}
{{- if $b.configMap }}
{{- $path := clean $b.mountPath }}
{{- $taken := list "/etc/ztaudit" "/tmp" }}
{{- if eq .Values.history.type "sqlite" }}{{ $taken = append $taken (clean .Values.history.sqlite.mountPath) }}{{ end }}
{{- if eq .Values.history.type "postgres" }}
{{- if .Values.history.postgres.caConfigMap }}{{ $taken = append $taken (clean .Values.history.postgres.caMountPath) }}{{ end }}
{{- if .Values.history.postgres.clientCertSecret }}{{ $taken = append $taken (clean .Values.history.postgres.clientCertMountPath) }}{{ end }}
{{- end }}
{{- if has $path $taken }}
{{- fail (printf "run.probeCaBundle.mountPath %s is where another volume of the pod is mounted (%s): mount the CA bundle at a path of its own" $path (join ", " $taken)) }}
{{- end }}
{{- printf "%s/%s" (trimSuffix "/" $path) $b.key }}
{{- end }}
{{- end }}

{{/*
ztaudit.yaml: values.config as given, with tls.probe.caFile pointing into run.probeCaBundle's
volume when one is mounted (a caFile given in config as well would leave one of them unused).
*/}}
{{- define "ztaudit.config" -}}
{{- $config := deepCopy (default (dict) .Values.config) }}
{{- with include "ztaudit.probeCaFile" . }}
{{- $tls := default (dict) (get $config "tls") }}
{{- $probe := dict }}
{{- if kindIs "map" $tls }}{{ $probe = default (dict) (get $tls "probe") }}{{ end }}
{{- if not (and (kindIs "map" $tls) (kindIs "map" $probe)) }}
{{- fail "config.tls.probe must be a map to take run.probeCaBundle's tls.probe.caFile" }}
{{- end }}
{{- if hasKey $probe "caFile" }}
{{- fail (printf "config.tls.probe.caFile and run.probeCaBundle.configMap are both set: run.probeCaBundle sets tls.probe.caFile to %s; remove config.tls.probe.caFile" .) }}
{{- end }}
{{- $_ := set $probe "caFile" . }}
{{- $_ = set $tls "probe" $probe }}
{{- $_ = set $config "tls" $tls }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/* Arguments shared by `run` and `serve`. */}}
{{- define "ztaudit.commonArgs" -}}
- --config
- /etc/ztaudit/ztaudit.yaml
- --out
- {{ .Values.run.outDir | quote }}
- --format
- {{ join "," .Values.run.formats | quote }}
{{- if ne .Values.history.type "postgres" }}
- --history
- {{ include "ztaudit.historyArg" . | quote }}
{{- end }}
{{- if include "ztaudit.notifyEnabled" . }}
- --notify
{{- else }}
- --no-notify
{{- end }}
{{- if .Values.run.probeTls }}
- --probe-tls
{{- end }}
{{- if .Values.policyReports.enabled }}
- --policy-reports
{{- else if has "--policy-reports" .Values.run.extraArgs }}
{{- fail "run.extraArgs: set policyReports.enabled=true instead of passing --policy-reports (it also grants the permissions the flag needs)" }}
{{- end }}
{{- with .Values.run.requestTimeoutSeconds }}
- --request-timeout
- {{ . | quote }}
{{- end }}
{{- range .Values.run.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}

{{/* Environment: non-secret notification settings as values, secrets only by reference. */}}
{{- define "ztaudit.env" -}}
{{- $n := .Values.notifications }}
{{- if eq .Values.history.type "postgres" }}
{{- $pg := .Values.history.postgres }}
{{- $secret := required "history.postgres.existingSecret is required for history.type postgres (the chart never creates Secrets)" $pg.existingSecret }}
{{- /* Every cluster of a fleet would otherwise be "in-cluster": one lock, one diff baseline, one row for them all. */}}
{{- $named := and .Values.config .Values.config.cluster .Values.config.cluster.name }}
{{- range .Values.run.extraArgs }}{{- if or (eq (toString .) "--cluster") (hasPrefix "--cluster=" (toString .)) }}{{- $named = true }}{{- end }}{{- end }}
{{- if not $named }}
{{- fail "history.type postgres needs the cluster's name: set config.cluster.name (or run.extraArgs {--cluster,NAME}); clusters sharing the database are told apart by it, and without it every one is \"in-cluster\"" }}
{{- end }}
- name: ZTAUDIT_HISTORY
  valueFrom:
    secretKeyRef:
      name: {{ $secret | quote }}
      key: {{ required "history.postgres.urlKey is required" $pg.urlKey | quote }}
{{- with $pg.passwordKey }}
- name: ZTAUDIT_PG_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret | quote }}
      key: {{ . | quote }}
{{- end }}
{{- end }}
{{- if $n.slack.enabled }}
- name: ZTAUDIT_SLACK_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ required "notifications.existingSecret is required when Slack is enabled (the chart never creates Secrets)" $n.existingSecret | quote }}
      key: {{ $n.slack.tokenKey | quote }}
- name: ZTAUDIT_SLACK_CHANNEL
  value: {{ required "notifications.slack.channel is required when Slack is enabled" $n.slack.channel | quote }}
{{- with $n.slack.apiUrl }}
- name: ZTAUDIT_SLACK_API_URL
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- if $n.email.enabled }}
- name: ZTAUDIT_SMTP_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "notifications.existingSecret is required when email is enabled (the chart never creates Secrets)" $n.existingSecret | quote }}
      key: {{ $n.email.smtpUrlKey | quote }}
{{- with $n.email.from }}
- name: ZTAUDIT_EMAIL_FROM
  value: {{ . | quote }}
{{- end }}
- name: ZTAUDIT_EMAIL_TO
  value: {{ required "notifications.email.to needs at least one address when email is enabled" (join "," $n.email.to) | quote }}
{{- end }}
{{- if and (eq .Values.mode "serve") .Values.serve.auth.existingSecret }}
- name: ZTAUDIT_SERVE_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.serve.auth.existingSecret | quote }}
      key: {{ .Values.serve.auth.tokenKey | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The container's arguments: `run` for the CronJob, `serve` for the Deployment. */}}
{{- define "ztaudit.args" -}}
{{- if eq .Values.mode "serve" }}
- serve
- --schedule
- {{ .Values.schedule | quote }}
{{- with .Values.timeZone }}
- --timezone
- {{ . | quote }}
{{- end }}
- --host
- {{ .Values.serve.host | quote }}
- --port
- {{ .Values.serve.port | toString | quote }}
- --shutdown-grace
- {{ sub (int .Values.serve.terminationGracePeriodSeconds) 5 | toString | quote }}
{{- if .Values.serve.watch }}
{{- if eq .Values.history.type "none" }}
{{- fail "serve.watch needs a history store to diff against, and history.type is none (ztaudit serve --watch would exit at start and the pod crash-loop): set history.type to k8s, sqlite or postgres, or serve.watch=false" }}
{{- end }}
- --watch
{{- end }}
{{- else }}
- run
{{- end }}
{{ include "ztaudit.commonArgs" . }}
{{- end }}

{{/* The hardened pod spec both modes share. */}}
{{- define "ztaudit.podSpec" -}}
{{- $ := . }}
serviceAccountName: {{ include "ztaudit.serviceAccountName" $ }}
# The auditor talks to the API server, so this pod (and only this pod) mounts the token;
# the ServiceAccount itself opts out of automounting.
automountServiceAccountToken: true
enableServiceLinks: false
{{- with $.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $.Values.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ $.Values.podSecurityContext.runAsUser }}
  runAsGroup: {{ $.Values.podSecurityContext.runAsGroup }}
  fsGroup: {{ $.Values.podSecurityContext.fsGroup }}
  fsGroupChangePolicy: OnRootMismatch
  seccompProfile:
    type: RuntimeDefault
containers:
  - name: ztaudit
    image: {{ include "ztaudit.image" $ | quote }}
    imagePullPolicy: {{ $.Values.image.pullPolicy }}
    args:
      {{- include "ztaudit.args" $ | trim | nindent 6 }}
    {{- $env := include "ztaudit.env" $ | trim }}
    {{- if $env }}
    env:
      {{- $env | nindent 6 }}
    {{- end }}
    {{- with $.Values.extraEnvFrom }}
    envFrom:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- if eq $.Values.mode "serve" }}
    ports:
      - name: http
        containerPort: {{ $.Values.serve.port }}
        protocol: TCP
    livenessProbe:
      httpGet:
        path: /healthz
        port: http
      periodSeconds: 20
      timeoutSeconds: 5
    readinessProbe:
      httpGet:
        path: /healthz
        port: http
      periodSeconds: 10
      timeoutSeconds: 5
    {{- end }}
    securityContext:
      runAsNonRoot: true
      allowPrivilegeEscalation: false
      privileged: false
      readOnlyRootFilesystem: true
      capabilities:
        drop: ["ALL"]
      seccompProfile:
        type: RuntimeDefault
    resources:
      {{- toYaml $.Values.resources | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      - name: config
        mountPath: /etc/ztaudit
        readOnly: true
      {{- if eq $.Values.history.type "sqlite" }}
      - name: history
        mountPath: {{ $.Values.history.sqlite.mountPath | quote }}
      {{- end }}
      {{- if include "ztaudit.probeCaFile" $ }}
      - name: probe-ca
        mountPath: {{ $.Values.run.probeCaBundle.mountPath | quote }}
        readOnly: true
      {{- end }}
      {{- if and (eq $.Values.history.type "postgres") $.Values.history.postgres.caConfigMap }}
      - name: postgres-ca
        mountPath: {{ $.Values.history.postgres.caMountPath | quote }}
        readOnly: true
      {{- end }}
      {{- if and (eq $.Values.history.type "postgres") $.Values.history.postgres.clientCertSecret }}
      {{- if and $.Values.history.postgres.caConfigMap (eq (clean $.Values.history.postgres.clientCertMountPath) (clean $.Values.history.postgres.caMountPath)) }}
      {{- fail (printf "history.postgres.clientCertMountPath and caMountPath are both %s: mount the client certificate and the CA at different paths" $.Values.history.postgres.caMountPath) }}
      {{- end }}
      - name: postgres-client-cert
        mountPath: {{ $.Values.history.postgres.clientCertMountPath | quote }}
        readOnly: true
      {{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ $.Values.tmpSizeLimit | quote }}
  - name: config
    configMap:
      name: {{ include "ztaudit.fullname" $ }}-config
  {{- if eq $.Values.history.type "sqlite" }}
  - name: history
    persistentVolumeClaim:
      claimName: {{ default (printf "%s-history" (include "ztaudit.fullname" $)) $.Values.history.sqlite.persistence.existingClaim }}
  {{- end }}
  {{- if include "ztaudit.probeCaFile" $ }}
  {{- /*
  Optional, so that a ConfigMap or key gone missing makes the run's config error, which alerts
  ("tls.probe.caFile: ...: file not found"), not a pod left waiting for its volume: an optional
  ConfigMap that does not exist is mounted empty, a missing key is absent beneath the mount point
  (https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#optional-configmaps).
  Only the key is projected. A mount below the read-only config volume works: the kubelet makes
  the mount point when it writes that volume (kubernetes/kubernetes#60342).
  */}}
  - name: probe-ca
    configMap:
      name: {{ $.Values.run.probeCaBundle.configMap | quote }}
      items:
        - key: {{ $.Values.run.probeCaBundle.key | quote }}
          path: {{ $.Values.run.probeCaBundle.key | quote }}
      optional: true
  {{- end }}
  {{- if and (eq $.Values.history.type "postgres") $.Values.history.postgres.caConfigMap }}
  - name: postgres-ca
    configMap:
      name: {{ $.Values.history.postgres.caConfigMap | quote }}
  {{- end }}
  {{- if and (eq $.Values.history.type "postgres") $.Values.history.postgres.clientCertSecret }}
  # The client certificate and its key for sslcert=/sslkey=: owner-read only (0400); the kubelet
  # adds group read for fsGroup, which the auditor's uid runs in.
  - name: postgres-client-cert
    secret:
      secretName: {{ $.Values.history.postgres.clientCertSecret | quote }}
      defaultMode: 256
  {{- end }}
{{- with $.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $.Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
