import { readFields, signFields } from '../feedback/survey-token.js';

/**
 * The links in follow e-mails (issue 19), signed with the City's link key (survey-token.ts): the
 * confirmation names its follower and expiry, the unfollow link its follower and works for good.
 * Each is signed for its own purpose, so one cannot be turned into the other or into a survey link.
 */

const confirmPurpose = 'citydesk-follow-confirm-v1';
const stopPurpose = 'citydesk-follow-stop-v1';
export const confirmationDays = 7;

export const signFollowConfirmation = (key: Buffer, follower: { id: number; expiresAt: Date }): string =>
  signFields(key, confirmPurpose, [follower.id, Math.floor(follower.expiresAt.getTime() / 1000)]);

export function readFollowConfirmation(key: Buffer, token: string): { followerId: number; expiresAt: Date } | undefined {
  const fields = readFields(key, confirmPurpose, token, 2);
  return fields ? { followerId: fields[0]!, expiresAt: new Date(fields[1]! * 1000) } : undefined;
}

export const signUnfollow = (key: Buffer, followerId: number): string => signFields(key, stopPurpose, [followerId]);

export function readUnfollow(key: Buffer, token: string): { followerId: number } | undefined {
  const fields = readFields(key, stopPurpose, token, 1);
  return fields ? { followerId: fields[0]! } : undefined;
}

export const confirmFollowPath = (token: string): string => `/follow/confirm/${token}`;
export const unfollowPath = (token: string): string => `/follow/stop/${token}`;
