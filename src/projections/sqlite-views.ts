import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../eventstore/database.js';
import { odataIdOf, type ViewDocument, type ViewWriter } from './projector.js';
import type { StoredView, ViewReader } from './view-reader.js';

/**
 * The views table. GETs read it through `get`; projectors write it through `writer`, inside the
 * transaction of the append that caused the change.
 */
export class SqliteViews implements ViewReader {
  readonly writer: ViewWriter;
  private readonly selectView: Statement<[string], StoredView>;

  constructor(db: SqliteDatabase) {
    this.selectView = db.prepare('SELECT odata_id AS odataId, body, position FROM views WHERE odata_id = ?');
    const upsert = db.prepare<[string, string, number]>(
      'INSERT INTO views (odata_id, body, position) VALUES (?, ?, ?) ' +
        'ON CONFLICT (odata_id) DO UPDATE SET body = excluded.body, position = excluded.position',
    );
    const remove = db.prepare<[string]>('DELETE FROM views WHERE odata_id = ?');
    const select = this.selectView;
    this.writer = {
      get(odataId: string): ViewDocument | undefined {
        const row = select.get(odataId);
        return row && (JSON.parse(row.body) as ViewDocument);
      },
      put(document: ViewDocument, position: number): void {
        upsert.run(odataIdOf(document), JSON.stringify(document), position);
      },
      delete(odataId: string): void {
        remove.run(odataId);
      },
    };
  }

  get(odataId: string): StoredView | undefined {
    return this.selectView.get(odataId);
  }
}
