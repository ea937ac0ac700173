{{/* Chart name, overridable; also the app.kubernetes.io/name label and the Prometheus job name. */}}
{{- define "challenge-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object name prefix: <release>-<name>, or the release name when it already contains the name. */}}
{{- define "challenge-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "challenge-operator.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "challenge-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "challenge-operator.labels" -}}
helm.sh/chart: {{ include "challenge-operator.chart" . }}
{{ include "challenge-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hexactf
{{- end }}

{{/* Labels that select the operator pods; never change them between upgrades (Deployment selectors are immutable). */}}
{{- define "challenge-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "challenge-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "challenge-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "challenge-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Leader election is needed as soon as two pods could reconcile the same objects. */}}
{{- define "challenge-operator.leaderElect" -}}
{{- if or .Values.operator.leaderElect (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{- define "challenge-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The challenge namespaces as a JSON list, checked: never the release namespace or kube-system. */}}
{{- define "challenge-operator.challengeNamespaces" -}}
{{- $out := list }}
{{- if not .Values.rbac.clusterWide }}
{{- if not .Values.challengeNamespaces }}
{{- fail "challengeNamespaces must list at least one namespace (or set rbac.clusterWide=true)" }}
{{- end }}
{{- range .Values.challengeNamespaces }}
{{- if or (eq . $.Release.Namespace) (has . (list "kube-system" "kube-public" "kube-node-lease" "default")) }}
{{- fail (printf "challengeNamespaces: %q is refused (the operator's own namespace and the system namespaces are never challenge namespaces)" .) }}
{{- end }}
{{- $out = append $out . }}
{{- end }}
{{- end }}
{{- $out | uniq | toJson }}
{{- end }}

{{/* The operator's rules, the same in the ClusterRole (rbac.clusterWide) and in each namespace's Role. */}}
{{- define "challenge-operator.rules" }}
rules:
  # No Secrets and no core Events: the operator does not use them (its one ConfigMap, in the release namespace, has
  # its own Role).
  # Challenges: watched, finalizer added/removed, status written, deleted after --challenge-ttl or on Error
  # with --delete-on-error.
  - apiGroups: ["apps.hexactf.io"]
    resources: ["challenges"]
    verbs: ["get", "list", "watch", "update", "patch", "delete"]
  - apiGroups: ["apps.hexactf.io"]
    resources: ["challenges/status"]
    verbs: ["update", "patch"]
  - apiGroups: ["apps.hexactf.io"]
    resources: ["challenges/finalizers"]
    verbs: ["update"]
  # Definitions are read only.
  - apiGroups: ["apps.hexactf.io"]
    resources: ["challengedefinitions"]
    verbs: ["get", "list", "watch"]
  # The children of each Challenge (server-side apply creates and restores them).
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
  - apiGroups: [""]
    resources: ["services"]
    verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
  # Pod state explains why an instance is not Running (image pull errors, crash loops).
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list", "watch"]
  # One NetworkPolicy per instance isolates it (ingress from outside only, no cluster egress).
  - apiGroups: ["networking.k8s.io"]
    resources: ["networkpolicies"]
    verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
  {{- if .Values.operator.emitEvents }}
  # Events regarding Challenges (events.k8s.io/v1): created, and patched to count repeats.
  - apiGroups: ["events.k8s.io"]
    resources: ["events"]
    verbs: ["create", "patch"]
  {{- end }}
{{- end }}

{{- /*
One Challenge is one series across operator restarts, leader changes and scrape-job renames: its series lose the
target labels (pod, instance, which change with every new pod; job, which changes when a static scrape config is
replaced by this ServiceMonitor). Sound because only the leader exports them, so they never come from two pods at
once. A rename that left the job on them gave a second series per Challenge, and the old job's, ended without a
staleness marker, stayed current for Prometheus' 5 m lookback (a deleted instance in Error read Error). The empty group makes the default replacement ($1) empty, which removes the label (an
explicit replacement "" is dropped by older Prometheus Operators). The metric names are the contract's
(operator/test/chart/series-identity.test.ts checks them, and that deploy/prometheus/prometheus.yml does the same).
*/}}
{{- define "challenge-operator.challengeSeriesRelabelings" -}}
{{- range list "pod" "instance" "job" }}
- sourceLabels: [__name__]
  regex: (?:challenge_resource_status|challenge_info|challenge_definition_requests)()
  targetLabel: {{ . }}
  action: replace
{{- end }}
{{- end }}
