import { type DragEvent, useRef, useState } from 'react';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { usePlatform } from '../../app/PlatformContext.js';
import { MODE_LABELS } from '../queue/QueuePane.js';
import { clipSelected, errorMessage, selectSelectedClipId, toastShown } from '../ui/uiSlice.js';
import { type ClipView, importMediaPath, selectReadyClips } from './mediaSlice.js';

export const CLIP_MIME = 'application/x-tessera-clip';
type Sort = 'newest' | 'oldest' | 'name';

function badge(view: ClipView): string {
  const recipe = view.asset?.recipe;
  if (recipe) return MODE_LABELS[recipe.mode];
  return view.asset?.origin === 'frame' ? 'Frame' : 'Imported';
}

export function MediaPane() {
  const dispatch = useAppDispatch();
  const platform = usePlatform();
  const clips = useAppSelector(selectReadyClips);
  const selected = useAppSelector(selectSelectedClipId);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>('newest');
  const [dropping, setDropping] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const importFiles = async (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      try {
        const path = await platform.fileToPath(file);
        const result = await dispatch(importMediaPath([path]));
        if (importMediaPath.fulfilled.match(result)) dispatch(clipSelected(result.payload.id));
      } catch (error) {
        dispatch(toastShown(errorMessage(error), 'Import a PNG or JPEG image, or an MP4 or WebM video.'));
      }
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDropping(false);
    if (e.dataTransfer.files.length > 0) void importFiles(e.dataTransfer.files);
  };

  const needle = filter.trim().toLowerCase();
  const shown = clips
    .filter((v) => !needle || v.clip.name.toLowerCase().includes(needle) || badge(v).toLowerCase().includes(needle))
    .sort((a, b) =>
      sort === 'name'
        ? a.clip.name.localeCompare(b.clip.name)
        : sort === 'oldest'
          ? a.clip.createdAt.localeCompare(b.clip.createdAt)
          : b.clip.createdAt.localeCompare(a.clip.createdAt),
    );

  return (
    <section
      className={`pane pane-media${dropping ? ' dropping' : ''}`}
      aria-label="Media"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDropping(true);
        }
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={onDrop}
    >
      <div className="pane-head">
        <h2>Media</h2>
        <button
          type="button"
          className="link"
          onClick={() => fileInput.current?.click()}
          title="Import images or videos (or drop files here)"
        >
          Import…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="image/png,image/jpeg,video/mp4,video/webm"
          multiple
          hidden
          aria-label="Import files"
          onChange={(e) => {
            if (e.target.files) void importFiles(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      <div className="bin-tools">
        <input
          type="search"
          aria-label="Filter clips"
          placeholder="Filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <select
          className="sort-select"
          aria-label="Sort clips"
          value={sort}
          onChange={(e) => setSort(e.target.value as Sort)}
        >
          <option value="newest">Newest</option>
          <option value="oldest">Oldest</option>
          <option value="name">Name</option>
        </select>
      </div>
      {clips.length === 0 ? (
        <p className="empty">Generated clips and imported files appear here. Drop images or videos to import.</p>
      ) : (
        <ul className="clip-grid" aria-label="Clips">
          {shown.map((view) => {
            const { clip, asset } = view;
            const isSelected = clip.id === selected;
            return (
              <li
                key={clip.id}
                aria-label={clip.name}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData(CLIP_MIME, clip.id);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
              >
                <button
                  type="button"
                  className={`clip${isSelected ? ' selected' : ''}`}
                  aria-pressed={isSelected}
                  title={clip.name}
                  onClick={() => dispatch(clipSelected(clip.id))}
                >
                  <span className="poster">
                    {asset?.posterPath ? <img src={platform.mediaUrl(asset.posterPath)} alt="" /> : null}
                    <span className="badge">{badge(view)}</span>
                    {view.takes.length > 1 ? <span className="badge takes">{view.takes.length} takes</span> : null}
                  </span>
                  <span className="clip-name">{clip.name}</span>
                  <span className="clip-meta">
                    {asset
                      ? `${asset.kind === 'image' ? 'image' : `${asset.durationSec.toFixed(1)} s`} · ${asset.width}×${asset.height}`
                      : ''}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
