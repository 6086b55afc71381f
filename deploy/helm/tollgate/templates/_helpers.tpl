{{- define "tollgate.labels" -}}
app.kubernetes.io/name: tollgate
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "tollgate.databaseSecret" -}}
{{- if .Values.database.existingSecret }}{{ .Values.database.existingSecret }}{{ else }}{{ .Release.Name }}-database{{ end }}
{{- end }}

{{- define "tollgate.adminSecret" -}}
{{- if .Values.admin.existingSecret }}{{ .Values.admin.existingSecret }}{{ else }}{{ .Release.Name }}-admin{{ end }}
{{- end }}

{{- define "tollgate.certsSecret" -}}
{{- if .Values.clusterCertificates.existingSecret }}{{ .Values.clusterCertificates.existingSecret }}{{ else }}{{ .Release.Name }}-cluster-certs{{ end }}
{{- end }}

{{- define "tollgate.redisEnv" -}}
- name: REDIS_URL
  value: {{ .Values.redis.url | quote }}
- name: TOLLGATE_REDIS_CLUSTER
  value: {{ .Values.redis.cluster | quote }}
- name: TOLLGATE_REDIS_SENTINELS
  value: {{ .Values.redis.sentinels | quote }}
- name: TOLLGATE_REDIS_SENTINEL_MASTER
  value: {{ .Values.redis.sentinelMaster | quote }}
- name: TOLLGATE_REDIS_KEY_PREFIX
  value: {{ .Values.redis.keyPrefix | quote }}
{{- end }}

{{- define "tollgate.podSecurity" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "tollgate.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}
