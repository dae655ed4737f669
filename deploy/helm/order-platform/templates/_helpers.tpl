{{/* Names: <release>-order-platform unless the release is already called that. */}}
{{- define "order-platform.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "order-platform.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Pods of one app: the component label is the app's name, as in docker-compose.yml. */}}
{{- define "order-platform.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "order-platform.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "order-platform.fullname" .)) -}}
{{- end -}}

{{/*
One secret variable of one container: from secrets.from.<key> (another Secret, e.g.
CloudNativePG's <cluster>-app, key uri) or from the chart's Secret / secrets.existingSecret.
Called with (dict "root" $ "env" "GATEWAY_FULFILLMENT_WEBHOOK_SECRET" "key" "FULFILLMENT_WEBHOOK_SECRET").
*/}}
{{- define "order-platform.secretEnv" -}}
{{- $from := index .root.Values.secrets.from .key | default dict -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ $from.name | default (include "order-platform.secretName" .root) }}
      key: {{ $from.key | default .key }}
      {{- if has .key (.root.Values.secrets.optional | default list) }}
      optional: true
      {{- end }}
{{- end -}}

{{/*
The environment of one app: the shared config (x-platform-env in docker-compose.yml), the app's
own, then its secrets. Values go through tpl, so they may name the release's services.
*/}}
{{- define "order-platform.env" -}}
{{- $root := .root -}}
{{- $app := .app -}}
{{- $env := merge (deepCopy ($app.env | default dict)) (deepCopy $root.Values.config) -}}
{{- range $name := keys $env | sortAlpha }}
- name: {{ $name }}
  value: {{ tpl (toString (index $env $name)) $root | quote }}
{{- end }}
{{- range $name := keys ($app.secretEnv | default dict) | sortAlpha }}
{{ include "order-platform.secretEnv" (dict "root" $root "env" $name "key" (index $app.secretEnv $name)) }}
{{- end }}
{{- end -}}

{{- define "order-platform.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
