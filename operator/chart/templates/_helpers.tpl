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
