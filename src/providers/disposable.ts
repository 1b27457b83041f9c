/** A base for providers: everything registered through `register` is disposed with the provider. */
import type * as vscode from 'vscode';

/** Owns a list of disposables and disposes them, newest first, exactly once. */
export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  /** Takes ownership of `item` and returns it. */
  protected register<T extends vscode.Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.owned.push(item);
    return item;
  }

  /** Disposes everything registered. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.owned.length > 0) this.owned.pop()!.dispose();
  }
}
