import {
  SceneObjectBase,
  sceneGraph,
  type SceneObject,
  type SceneObjectState,
  type SceneVariable,
  type SceneVariableDependencyConfigLike,
} from '@grafana/scenes';
import { PanelInspector } from './inspect/PanelInspector';

type Release = () => void;

/**
 * A page scene's behaviour: the data of its panels and notices (query runners and their transformations) activates
 * with the scene, right after its time range and variables, instead of when each panel or notice mounts. Scenes
 * renders an object's children only once the object is active, so the panels mount several React commits after the
 * scene (150-250 ms of the page's first render in the browser bench, more on a busy machine), and their queries went
 * out that much after the filters' label values.
 *
 * Each panel or notice takes over its data's activation when it mounts (the early one is then released), so one that
 * unmounts later stops its queries as before. With a panel shown alone (`viewPanel=`), nothing starts early: only
 * what renders runs its queries.
 */
export class PanelDataWithScene extends SceneObjectBase<SceneObjectState> {
  /** The data objects active through this behaviour, their panel or notice not mounted yet. */
  private readonly held = new Map<SceneObject, Release>();
  /** Objects whose mount hands their data over (registered once, whatever the number of activations). */
  private readonly watched = new WeakSet<SceneObject>();

  /**
   * The variable set tells an object that a variable has loaded only through active ancestors, which data held here
   * does not have until its panel mounts: it hears it through this behaviour (a child of the scene) meanwhile. A
   * runner waiting for the datasource variable at activation would otherwise wait for every variable.
   */
  protected _variableDependency: SceneVariableDependencyConfigLike = {
    getNames: () => new Set(),
    hasDependencyOn: () => false,
    variableUpdateCompleted: (variable, hasChanged) => {
      for (const data of this.held.keys()) {
        notifyActive(data, variable, hasChanged);
      }
    },
  };

  public constructor() {
    super({});
    this.addActivationHandler(() => this.activatePanelData());
  }

  private activatePanelData(): Release | undefined {
    const scene = this.parent;
    if (!scene) {
      return undefined;
    }
    const inspector = sceneGraph.findAllObjects(scene, (o) => o instanceof PanelInspector)[0];
    if (inspector instanceof PanelInspector && inspector.state.viewKey) {
      return undefined;
    }
    // Parents before children: a transformation's runner is active once the transformation is.
    for (const owner of sceneGraph.findAllObjects(scene, (o) => o !== scene && o.state.$data !== undefined)) {
      const data = owner.state.$data;
      if (data && !data.isActive) {
        this.held.set(data, data.activate());
        this.handOverOnMount(owner);
      }
    }
    return () => {
      this.held.forEach((release) => release());
      this.held.clear();
    };
  }

  /** When `owner` mounts, it holds its data's activation from then on. */
  private handOverOnMount(owner: SceneObject) {
    if (this.watched.has(owner)) {
      return;
    }
    this.watched.add(owner);
    // Runs before the owner activates its own $data, which it skips when that is active already.
    owner.addActivationHandler(() => {
      const data = owner.state.$data;
      const release = data && this.held.get(data);
      if (!data || !release) {
        return undefined;
      }
      const own = data.activate();
      this.held.delete(data);
      release();
      return own;
    });
  }
}

/** Tells `object` and the active objects below it that `variable` has loaded, as the variable set does. */
function notifyActive(object: SceneObject, variable: SceneVariable, hasChanged: boolean) {
  if (!object.isActive) {
    return;
  }
  object.variableDependency?.variableUpdateCompleted(variable, hasChanged);
  object.forEachChild((child) => notifyActive(child, variable, hasChanged));
}
