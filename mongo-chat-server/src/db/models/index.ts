import type { Connection } from 'mongoose';
import { createGroupModel } from './group';
import type { GroupModel } from './group';
import { createMarkerModel } from './marker';
import type { MarkerModel } from './marker';
import { createMembershipModel } from './membership';
import type { MembershipModel } from './membership';
import { createMentionModel } from './mention';
import type { MentionModel } from './mention';
import { createMessageModel } from './message';
import type { MessageModel } from './message';
import { createReactionModel } from './reaction';
import type { ReactionModel } from './reaction';
import { createRevisionModel } from './revision';
import type { RevisionModel } from './revision';
import { createSessionModel } from './session';
import type { SessionModel } from './session';
import { createUserModel } from './user';
import type { UserModel } from './user';

export interface Models {
  User: UserModel;
  Group: GroupModel;
  Membership: MembershipModel;
  Message: MessageModel;
  Mention: MentionModel;
  Revision: RevisionModel;
  Reaction: ReactionModel;
  Session: SessionModel;
  Marker: MarkerModel;
}

/** The models bound to one connection (two services in one process each get their own). */
export function createModels(db: Connection): Models {
  return {
    User: createUserModel(db),
    Group: createGroupModel(db),
    Membership: createMembershipModel(db),
    Message: createMessageModel(db),
    Mention: createMentionModel(db),
    Revision: createRevisionModel(db),
    Reaction: createReactionModel(db),
    Session: createSessionModel(db),
    Marker: createMarkerModel(db),
  };
}

/** Builds every declared index; the unique ones are what the service's guarantees rest on. */
export async function ensureIndexes(models: Models): Promise<void> {
  await Promise.all(Object.values(models).map((model: Models[keyof Models]) => model.createIndexes()));
}
