// The inventory: every object, indexed once so rules look things up instead of scanning.

import { podSpecOf, type KubeObject, type PodSpecNode } from './objects.js';
import { componentsOf, type ComponentNode } from './components.js';

/** Objects a manifest leaves without a namespace are installed into one chosen at deploy time; they share it. */
export const UNSET_NAMESPACE = '';

/** A pod of a live workload that runs now, with what its containers run (`imageID` as the kubelet reports it). */
export interface RunningPod {
  name: string;
  /** the node it runs on (`spec.nodeName`) */
  node?: string;
  images: readonly { container: string; imageID: string }[];
}

const CONTROL_PLANE = new Set(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd']);

export class Inventory {
  readonly objects: KubeObject[] = [];
  /**
   * Kinds the source could not read (a 403 on a live cluster). Rules that judge the absence of an
   * object (no NetworkPolicy, no LimitRange) stay silent for these instead of guessing.
   */
  readonly unreadableKinds = new Set<string>();
  readonly podSpecs: PodSpecNode[] = [];
  /** Kubernetes components (control-plane static pods, …) with their flags */
  readonly components: ComponentNode[] = [];
  private readonly componentsByObject = new Map<KubeObject, ComponentNode[]>();
  private readonly kinds = new Map<string, KubeObject[]>();
  private readonly podSpecByObject = new Map<KubeObject, PodSpecNode>();
  private readonly byKindAndNamespace = new Map<string, KubeObject[]>();

  add(object: KubeObject): void {
    this.objects.push(object);
    let list = this.kinds.get(object.kind);
    if (list === undefined) this.kinds.set(object.kind, (list = []));
    list.push(object);
    const key = `${object.kind}\0${object.namespace ?? UNSET_NAMESPACE}`;
    let nsList = this.byKindAndNamespace.get(key);
    if (nsList === undefined) this.byKindAndNamespace.set(key, (nsList = []));
    nsList.push(object);
    const pod = podSpecOf(object);
    if (pod !== undefined) {
      this.podSpecs.push(pod);
      this.podSpecByObject.set(object, pod);
      const components = componentsOf(pod.containers);
      if (components.length > 0) {
        this.components.push(...components);
        this.componentsByObject.set(object, components);
      }
    }
  }

  private readonly runningPods = new Map<KubeObject, readonly RunningPod[]>();

  /**
   * A component process found on a node (kubemoat node): its synthetic object is listed with the
   * others, but has no pod spec, so workload rules never judge a process as if it were a pod.
   */
  addProcess(component: ComponentNode): void {
    const object = component.source.container.pod.object;
    this.objects.push(object);
    let list = this.kinds.get(object.kind);
    if (list === undefined) this.kinds.set(object.kind, (list = []));
    list.push(object);
    this.components.push(component);
    this.componentsByObject.set(object, [component]);
  }

  ofKind(kind: string): readonly KubeObject[] {
    return this.kinds.get(kind) ?? [];
  }

  /** Objects of a kind in a namespace; manifests without a namespace share the unset one. */
  inNamespace(kind: string, namespace: string | undefined): readonly KubeObject[] {
    return this.byKindAndNamespace.get(`${kind}\0${namespace ?? UNSET_NAMESPACE}`) ?? [];
  }

  podSpecOf(object: KubeObject): PodSpecNode | undefined {
    return this.podSpecByObject.get(object);
  }

  componentsOf(object: KubeObject): readonly ComponentNode[] {
    return this.componentsByObject.get(object) ?? [];
  }

  /** A pod whose every regular container is a control-plane component (a kubeadm-style static pod). */
  isControlPlanePod(object: KubeObject): boolean {
    const components = this.componentsByObject.get(object);
    const pod = this.podSpecByObject.get(object);
    if (components === undefined || pod === undefined) return false;
    const regular = pod.containers.filter((c) => c.containerKind === 'container');
    return regular.length > 0 && regular.every((c) => components.some((k) => k.source.container === c && CONTROL_PLANE.has(k.component)));
  }

  /**
   * The pods running now for a live workload (its own pod, or the pods of a controller, folded
   * into it); undefined where that is not known (manifests).
   */
  runningPodsOf(object: KubeObject): readonly RunningPod[] | undefined {
    return this.runningPods.get(object);
  }

  setRunningPods(object: KubeObject, pods: readonly RunningPod[]): void {
    this.runningPods.set(object, pods);
  }

  namespaceObject(name: string): KubeObject | undefined {
    return this.ofKind('Namespace').find((o) => o.name === name);
  }
}
