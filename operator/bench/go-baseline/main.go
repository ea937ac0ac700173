// Command challenge-operator-stand-in: a benchmark baseline in the shape of the original Go challenge operator
// (a kubebuilder/controller-runtime operator), NOT that operator. See README.md for what it stands for and what
// it leaves out. Built by scripts/install-test-tools.sh (go-baseline) and run by
// operator/bench/memory-side-by-side.ts next to the TypeScript operator.
//
// One manager, one controller For Challenge (apps.hexactf.io/v1alpha1), Owns Deployments and Services, the default
// cache (whole objects), and the gauge challenge_resource_status{challenge_id, challenge_name, username, namespace}
// on the manager's metrics endpoint. Per Challenge: read its ChallengeDefinition (same namespace, spec.definition),
// add the finalizer, create one Deployment and one NodePort Service per component with controller ownerReferences,
// write status Pending, then Running once every Deployment is available (endpoint: the Service's nodePort); on
// delete, drop the gauge series and remove the finalizer (the children go with their owner).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

const (
	finalizer      = "challenge.hexactf.io/finalizer"
	labelChallenge = "apps.hexactf.io/challengeId"
	labelUser      = "apps.hexactf.io/user"
	labelInstance  = "apps.hexactf.io/instance"
	labelComponent = "apps.hexactf.io/component"
)

// ---- API types (apps.hexactf.io/v1alpha1, operator/chart/crds/), typed as a kubebuilder project types them.

var groupVersion = schema.GroupVersion{Group: "apps.hexactf.io", Version: "v1alpha1"}

type CurrentStatus struct {
	State    string `json:"state,omitempty"`
	ErrorMsg string `json:"errorMsg,omitempty"`
}

type ChallengeSpec struct {
	Definition string `json:"definition"`
	Namespace  string `json:"namespace,omitempty"`
}

type ChallengeStatus struct {
	StartedAt     *metav1.Time  `json:"startedAt,omitempty"`
	CurrentStatus CurrentStatus `json:"currentStatus,omitempty"`
	IsOne         bool          `json:"isOne,omitempty"`
	Endpoint      int32         `json:"endpoint,omitempty"`
}

type Challenge struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ChallengeSpec   `json:"spec,omitempty"`
	Status            ChallengeStatus `json:"status,omitempty"`
}

type ChallengeList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Challenge `json:"items"`
}

type DeploymentTemplate struct {
	Spec appsv1.DeploymentSpec `json:"spec"`
}

type ServiceTemplate struct {
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              corev1.ServiceSpec `json:"spec"`
}

type Component struct {
	Name       string             `json:"name"`
	Deployment DeploymentTemplate `json:"deployment"`
	Service    *ServiceTemplate   `json:"service,omitempty"`
}

type ChallengeDefinitionSpec struct {
	IsOne      bool        `json:"isOne,omitempty"`
	Category   string      `json:"category,omitempty"`
	Components []Component `json:"components"`
}

type ChallengeDefinition struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ChallengeDefinitionSpec `json:"spec,omitempty"`
}

type ChallengeDefinitionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ChallengeDefinition `json:"items"`
}

// Deep copies, as controller-gen would write them.

func (in *Challenge) DeepCopyInto(out *Challenge) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	if in.Status.StartedAt != nil {
		out.Status.StartedAt = in.Status.StartedAt.DeepCopy()
	}
}

func (in *Challenge) DeepCopyObject() runtime.Object {
	out := new(Challenge)
	in.DeepCopyInto(out)
	return out
}

func (in *ChallengeList) DeepCopyObject() runtime.Object {
	out := &ChallengeList{TypeMeta: in.TypeMeta}
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	if in.Items != nil {
		out.Items = make([]Challenge, len(in.Items))
		for i := range in.Items {
			in.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}

func (in *ChallengeDefinition) DeepCopyInto(out *ChallengeDefinition) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	if in.Spec.Components != nil {
		out.Spec.Components = make([]Component, len(in.Spec.Components))
		for i, c := range in.Spec.Components {
			o := &out.Spec.Components[i]
			o.Name = c.Name
			c.Deployment.Spec.DeepCopyInto(&o.Deployment.Spec)
			if c.Service != nil {
				o.Service = &ServiceTemplate{}
				c.Service.ObjectMeta.DeepCopyInto(&o.Service.ObjectMeta)
				c.Service.Spec.DeepCopyInto(&o.Service.Spec)
			}
		}
	}
}

func (in *ChallengeDefinition) DeepCopyObject() runtime.Object {
	out := new(ChallengeDefinition)
	in.DeepCopyInto(out)
	return out
}

func (in *ChallengeDefinitionList) DeepCopyObject() runtime.Object {
	out := &ChallengeDefinitionList{TypeMeta: in.TypeMeta}
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	if in.Items != nil {
		out.Items = make([]ChallengeDefinition, len(in.Items))
		for i := range in.Items {
			in.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}

func addToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(groupVersion, &Challenge{}, &ChallengeList{}, &ChallengeDefinition{}, &ChallengeDefinitionList{})
	metav1.AddToGroupVersion(s, groupVersion)
	return nil
}

// ---- metrics

// statusGauge: 0 Pending, 1 Running, 3 Error (the states' codes), one series per live Challenge.
var statusGauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
	Name: "challenge_resource_status",
	Help: "Current state of each Challenge (0 Pending, 1 Running, 2 Deleted, 3 Error).",
}, []string{"challenge_id", "challenge_name", "username", "namespace"})

var stateCodes = map[string]float64{"Pending": 0, "Running": 1, "Deleted": 2, "Error": 3}

func setGauge(ch *Challenge) {
	statusGauge.WithLabelValues(ch.Labels[labelChallenge], ch.Name, ch.Labels[labelUser], ch.Namespace).
		Set(stateCodes[ch.Status.CurrentStatus.State])
}

// ---- the controller

type ChallengeReconciler struct {
	client.Client
	Scheme *runtime.Scheme
}

func (r *ChallengeReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ch := &Challenge{}
	if err := r.Get(ctx, req.NamespacedName, ch); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}

	if !ch.DeletionTimestamp.IsZero() {
		statusGauge.DeleteLabelValues(ch.Labels[labelChallenge], ch.Name, ch.Labels[labelUser], ch.Namespace)
		if controllerutil.RemoveFinalizer(ch, finalizer) {
			return ctrl.Result{}, client.IgnoreNotFound(r.Update(ctx, ch))
		}
		return ctrl.Result{}, nil
	}

	if controllerutil.AddFinalizer(ch, finalizer) {
		if err := r.Update(ctx, ch); err != nil {
			return ctrl.Result{}, err
		}
	}

	def := &ChallengeDefinition{}
	if err := r.Get(ctx, types.NamespacedName{Namespace: ch.Namespace, Name: ch.Spec.Definition}, def); err != nil {
		if apierrors.IsNotFound(err) {
			return ctrl.Result{}, r.setStatus(ctx, ch, "Error", fmt.Sprintf("definition %q not found", ch.Spec.Definition), 0)
		}
		return ctrl.Result{}, err
	}

	if ch.Status.CurrentStatus.State == "" {
		if err := r.setStatus(ctx, ch, "Pending", "", 0); err != nil {
			return ctrl.Result{}, err
		}
	}

	available := true
	var endpoint int32
	for i := range def.Spec.Components {
		comp := &def.Spec.Components[i]
		dep, err := r.ensureDeployment(ctx, ch, comp)
		if err != nil {
			return ctrl.Result{}, err
		}
		want := int32(1)
		if dep.Spec.Replicas != nil {
			want = *dep.Spec.Replicas
		}
		if dep.Status.AvailableReplicas < want {
			available = false
		}
		if comp.Service != nil {
			svc, err := r.ensureService(ctx, ch, comp)
			if err != nil {
				return ctrl.Result{}, err
			}
			if endpoint == 0 && len(svc.Spec.Ports) > 0 {
				endpoint = svc.Spec.Ports[0].NodePort
			}
		}
	}

	if available && ch.Status.CurrentStatus.State != "Running" {
		return ctrl.Result{}, r.setStatus(ctx, ch, "Running", "", endpoint)
	}
	setGauge(ch)
	return ctrl.Result{}, nil
}

func (r *ChallengeReconciler) setStatus(ctx context.Context, ch *Challenge, state, msg string, endpoint int32) error {
	ch.Status.CurrentStatus = CurrentStatus{State: state, ErrorMsg: msg}
	if ch.Status.StartedAt == nil {
		now := metav1.NewTime(time.Now())
		ch.Status.StartedAt = &now
	}
	if endpoint != 0 {
		ch.Status.Endpoint = endpoint
	}
	if err := r.Status().Update(ctx, ch); err != nil {
		return err
	}
	setGauge(ch)
	return nil
}

func childName(ch *Challenge, comp *Component) string { return ch.Name + "-" + comp.Name }

func childLabels(ch *Challenge, comp *Component) map[string]string {
	return map[string]string{
		labelChallenge: ch.Labels[labelChallenge],
		labelUser:      ch.Labels[labelUser],
		labelInstance:  ch.Name,
		labelComponent: comp.Name,
	}
}

func selectorLabels(ch *Challenge, comp *Component) map[string]string {
	return map[string]string{labelInstance: ch.Name, labelComponent: comp.Name}
}

// ensureDeployment: the cached Deployment, else one created from the definition's pod template.
func (r *ChallengeReconciler) ensureDeployment(ctx context.Context, ch *Challenge, comp *Component) (*appsv1.Deployment, error) {
	dep := &appsv1.Deployment{}
	key := types.NamespacedName{Namespace: ch.Namespace, Name: childName(ch, comp)}
	if err := r.Get(ctx, key, dep); err == nil {
		return dep, nil
	} else if !apierrors.IsNotFound(err) {
		return nil, err
	}
	spec := *comp.Deployment.Spec.DeepCopy()
	spec.Selector = &metav1.LabelSelector{MatchLabels: selectorLabels(ch, comp)}
	if spec.Template.Labels == nil {
		spec.Template.Labels = map[string]string{}
	}
	for k, v := range childLabels(ch, comp) {
		spec.Template.Labels[k] = v
	}
	dep = &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: key.Name, Namespace: key.Namespace, Labels: childLabels(ch, comp)},
		Spec:       spec,
	}
	if err := controllerutil.SetControllerReference(ch, dep, r.Scheme); err != nil {
		return nil, err
	}
	if err := r.Create(ctx, dep); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, err
	}
	return dep, nil
}

// ensureService: the cached Service, else a NodePort Service created from the definition's ports (a fixed nodePort
// is dropped: the apiserver allocates one per instance).
func (r *ChallengeReconciler) ensureService(ctx context.Context, ch *Challenge, comp *Component) (*corev1.Service, error) {
	svc := &corev1.Service{}
	key := types.NamespacedName{Namespace: ch.Namespace, Name: childName(ch, comp)}
	if err := r.Get(ctx, key, svc); err == nil {
		return svc, nil
	} else if !apierrors.IsNotFound(err) {
		return nil, err
	}
	ports := make([]corev1.ServicePort, len(comp.Service.Spec.Ports))
	for i, p := range comp.Service.Spec.Ports {
		p.NodePort = 0
		ports[i] = p
	}
	svc = &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: key.Name, Namespace: key.Namespace, Labels: childLabels(ch, comp)},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeNodePort,
			Selector: selectorLabels(ch, comp),
			Ports:    ports,
		},
	}
	if err := controllerutil.SetControllerReference(ch, svc, r.Scheme); err != nil {
		return nil, err
	}
	if err := r.Create(ctx, svc); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return svc, nil
		}
		return nil, err
	}
	return svc, nil // Create filled in the allocated nodePort
}

func main() {
	var metricsAddr, probeAddr, namespace string
	var leaderElect bool
	var workers int
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "The address the metrics endpoint binds to.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "The address the probe endpoint binds to (0: off).")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Enable leader election for controller manager.")
	flag.StringVar(&namespace, "namespace", "", "Watch only this namespace (default: all).")
	flag.IntVar(&workers, "max-concurrent-reconciles", 1, "Reconciles run at once.")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("setup")

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(addToScheme(scheme))
	metrics.Registry.MustRegister(statusGauge)

	cacheOpts := cache.Options{}
	if namespace != "" {
		cacheOpts.DefaultNamespaces = map[string]cache.Config{namespace: {}}
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress: probeAddr,
		LeaderElection:         leaderElect,
		LeaderElectionID:       "challenge-operator-stand-in.hexactf.io",
		Cache:                  cacheOpts,
	})
	if err != nil {
		log.Error(err, "unable to start manager")
		os.Exit(1)
	}
	err = ctrl.NewControllerManagedBy(mgr).
		For(&Challenge{}).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Complete(&ChallengeReconciler{Client: mgr.GetClient(), Scheme: mgr.GetScheme()})
	if err != nil {
		log.Error(err, "unable to create controller", "controller", "Challenge")
		os.Exit(1)
	}
	log.Info("starting manager")
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "problem running manager")
		os.Exit(1)
	}
}
